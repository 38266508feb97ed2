namespace CogDdim.Conformance.Harness;

/// <summary>The Node 20 example port (examples/node, no packages): exact on both committed sets. Needs `node` on PATH.</summary>
public sealed class NodeExampleTests
{
    private static readonly string Port = Path.Combine(HarnessFixtures.RepoRoot, "examples", "node", "cogddim-port.mjs");

    [Theory]
    [InlineData(HarnessFixtures.Primary)]
    [InlineData(HarnessFixtures.Second)]
    public void The_node_example_reproduces_every_case_of_a_committed_set_bit_for_bit(string set)
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options($"node {HarnessFixtures.Quote(Port)}"), HarnessFixtures.Set(set));

        Assert.Empty(report.Run.Incidents);
        Assert.Equal("5537 passed, 0 failed", report.ClosingLine);
        Assert.Equal("node example", report.Run.Handshake!.Name);
    }
}
