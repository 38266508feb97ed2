using System.Text.Json.Nodes;
using CogDdim.Conformance.Harness;
using CogDdim.Fixtures;

namespace CogDdim.Conformance;

/// <summary>Fixtures made from the committed ones for issue 14's tests.</summary>
internal static class HostileFixtures
{
    public static string CommittedText(string name, string set = HarnessFixtures.Primary) =>
        File.ReadAllText(Path.Combine(HarnessFixtures.SetPath(set), name + ".json"));

    /// <summary>
    /// diffusers' answer to beta_start −0.1 with scaled_linear: RuntimeError at construction (Python's (−0.1) ** 0.5 is
    /// complex; recorded with torch 1.13 here, the message is torch's).
    /// </summary>
    public static FixtureSuite ComplexLinspaceSuite()
    {
        var root = JsonNode.Parse(CommittedText("bad-beta-schedule"))!.AsObject();
        root["name"] = "complex-linspace";
        root["description"] = "a negative beta_start with scaled_linear fails at construction (RuntimeError)";
        var config = root["config"]!.AsObject();
        config["beta_schedule"] = "scaled_linear";
        config["beta_start"] = -0.1;
        root["construct_error"] = new JsonObject
        {
            ["type"] = "RuntimeError",
            ["message"] = "torch.linspace(): inferred dtype c10::complex<float> can't be safely cast to passed dtype Double",
        };
        return FixtureReader.Read(root.ToJsonString(), Path.Combine("hostile", "issue-14", "complex-linspace.json"));
    }
}
