namespace CogDdim.Conformance;
