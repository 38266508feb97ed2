namespace CogDdim.Conformance;

/// <summary>
/// Thrown by a backend that cannot run a case at all (a candidate port that said in its handshake it lacks the
/// dtype or the call): the runner reports the case as skipped, neither passed nor failed.
/// </summary>
public sealed class CaseSkippedException(string message) : Exception(message);

/// <summary>
/// Thrown by a backend that broke rather than computed (a candidate process that crashed, hung, or answered
/// garbage): the runner fails the case and marks it <see cref="CaseResult.BackendFailure"/>.
/// </summary>
public class BackendFailureException(string message, Exception? inner = null) : Exception(message, inner);
