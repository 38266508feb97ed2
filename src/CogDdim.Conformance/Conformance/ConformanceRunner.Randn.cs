using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using CogDdim.Backends;
using CogDdim.Fixtures;
using CogDdim.Rng;
using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>The randn cases: a <c>cogddim-randn/1</c> file's draws run through an <see cref="IRandnBackend"/>.</summary>
public sealed partial class ConformanceRunner
{
    private List<CaseResult> RunRandn(RandnFixture file, RandnSemantics semantics)
    {
        var cases = new List<CaseResult>();
        for (var i = 0; i < file.Draws.Length; i++)
        {
            var d = file.Draws[i];
            var id = string.Create(CultureInfo.InvariantCulture, $"{CaseKinds.RandnDraw}[{i}] seed={d.Seed} [{string.Join(",", d.Shape)}] {d.DType.Name()}");
            cases.Add(RandnCase(CaseKinds.RandnDraw, i, id, d.DType.Name(), [RandnCases.Draw(d, semantics)], (reply, comparisons, failures) =>
                comparisons.AddRange(CompareOutput("output", d.Output, reply.Outputs[0], failures))));
        }

        for (var i = 0; i < file.Strided.Length; i++)
        {
            var s = file.Strided[i];
            var id = string.Create(CultureInfo.InvariantCulture, $"{CaseKinds.RandnStrided}[{i}] seed={s.Seed} n={s.N} {s.DType.Name()}");
            cases.Add(RandnCase(CaseKinds.RandnStrided, i, id, s.DType.Name(), [RandnCases.Strided(s, semantics)], (reply, comparisons, failures) =>
            {
                comparisons.AddRange(CompareOutput("output", s.Output, reply.Outputs[0], failures));
                CompareState("state after the draw", s.StateSha256, reply, 0, failures);
            }));
        }

        for (var i = 0; i < file.Sequences.Length; i++)
        {
            var q = file.Sequences[i];
            var label = Label(q.Calls.Select(c => c.DType));
            var id = string.Create(CultureInfo.InvariantCulture, $"{CaseKinds.RandnSequence}[{i}] seed={q.Seed} calls={q.Calls.Length}");
            cases.Add(RandnCase(CaseKinds.RandnSequence, i, id, label, [RandnCases.Sequence(q, semantics)], (reply, comparisons, failures) =>
            {
                for (var k = 0; k < q.Calls.Length; k++)
                {
                    comparisons.AddRange(CompareOutput($"outputs[{k}]", q.Calls[k].Output, reply.Outputs[k], failures));
                    CompareState($"state after call {k}", q.Calls[k].StateSha256, reply, k, failures);
                }

                if (reply.States is { } states)
                {
                    CompareCheckpoint(q, states[q.CheckpointAfter - 1], failures);
                }
            }));
            var resume = string.Create(CultureInfo.InvariantCulture, $"{CaseKinds.RandnResume}[{i}] seed={q.Seed} from checkpoint_state after {q.CheckpointAfter} of {q.Calls.Length} calls");
            cases.Add(RandnCase(CaseKinds.RandnResume, i, resume, Label(q.Calls.Skip(q.CheckpointAfter).Select(c => c.DType)), [RandnCases.Resume(q, semantics)], (reply, comparisons, failures) =>
            {
                for (var k = q.CheckpointAfter; k < q.Calls.Length; k++)
                {
                    comparisons.AddRange(CompareOutput($"outputs[{k}]", q.Calls[k].Output, reply.Outputs[k - q.CheckpointAfter], failures));
                    CompareState($"state after call {k}", q.Calls[k].StateSha256, reply, k - q.CheckpointAfter, failures);
                }
            }));
        }

        for (var i = 0; i < file.RandnTensor.Length; i++)
        {
            var t = file.RandnTensor[i];
            var seeds = t.SeedList ? $"[{string.Join(",", t.Seeds)}]" : t.Seeds[0].ToString(CultureInfo.InvariantCulture);
            var id = string.Create(CultureInfo.InvariantCulture, $"{CaseKinds.RandnTensor}[{i}] {t.Name} seeds={seeds} {t.DType.Name()}");
            if (t.InitNoiseSigma != 1.0)
            {
                cases.Add(new CaseResult(CaseKinds.RandnTensor, id, t.DType.Name(), [],
                    string.Create(CultureInfo.InvariantCulture, $"init_noise_sigma {t.InitNoiseSigma}: the harness replays 1.0 only (every CogVideoX scheduler's), where the multiply changes no bit")) { Index = i });
                continue;
            }

            cases.Add(RandnMulti(CaseKinds.RandnTensor, i, id, t.DType.Name(), RandnCases.Tensor(t, semantics), (replies, comparisons, failures) =>
                comparisons.AddRange(CompareLatents(t, replies, failures))));
        }

        return cases;
    }

    private CaseResult RandnCase(string kind, int index, string id, string label, IReadOnlyList<RandnCallSpec> calls, Action<RandnReply, List<TensorComparison>, List<string>> check) =>
        RandnMulti(kind, index, id, label, calls, (replies, comparisons, failures) => check(replies[0], comparisons, failures));

    private CaseResult RandnMulti(string kind, int index, string id, string label, IReadOnlyList<RandnCallSpec> calls, Action<IReadOnlyList<RandnReply>, List<TensorComparison>, List<string>> check) =>
        Guard(kind, id, label, () =>
        {
            var backend = Backend as IRandnBackend ?? throw new CaseSkippedException($"the {Backend.Name} backend has no torch-compatible generator (IRandnBackend)");
            var replies = new List<RandnReply>();
            foreach (var call in calls)
            {
                var reply = backend.Randn(call);
                if (reply.Outputs.Length != call.Draws.Length || reply.States is { } s && s.Length != call.Draws.Length)
                {
                    throw new RunnerCheckException(string.Create(CultureInfo.InvariantCulture,
                        $"the backend answered {reply.Outputs.Length} outputs and {reply.States?.Length.ToString(CultureInfo.InvariantCulture) ?? "no"} states for {call.Draws.Length} draws"));
                }

                replies.Add(reply);
            }

            var comparisons = new List<TensorComparison>();
            var failures = new List<string>();
            check(replies, comparisons, failures);
            // One line per kind of problem: the first differing state, then how many more.
            var states = failures.Where(f => f.StartsWith("state after", StringComparison.Ordinal) && f.Contains("sha256", StringComparison.Ordinal)).ToList();
            if (states.Count > 1)
            {
                failures = [.. failures.Where(f => !states.Contains(f)), string.Create(CultureInfo.InvariantCulture, $"{states[0]} (and {states.Count - 1} later states differ)")];
            }

            return new CaseResult(kind, id, label, comparisons, failures.Count == 0 ? null : string.Join("; ", failures));
        }) with { Index = index };

    private static string Label(IEnumerable<DType> dtypes)
    {
        var distinct = dtypes.Distinct().ToList();
        return distinct.Count == 1 ? distinct[0].Name() : "mixed";
    }

    /// <summary>A recorded output against a drawn one: element by element where both are whole, by the digest's edges and sha256 otherwise.</summary>
    private List<TensorComparison> CompareOutput(string quantity, RandnTensor expected, RandnOutput actual, List<string> failures)
    {
        if (actual.DType != expected.DType || !actual.Shape.SequenceEqual(expected.Shape))
        {
            var what = actual.DType != expected.DType
                ? $"dtype {actual.DType.Name()}, expected {expected.DType.Name()}"
                : $"shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expected.Shape)}]";
            return [new TensorComparison(quantity, expected.DType, (int)Math.Min(int.MaxValue, expected.Count), 0, 0, 0, 0, null, null, what)];
        }

        if (expected.Data is { } data)
        {
            if (actual.Tensor is not { } tensor)
            {
                failures.Add($"{quantity}: answered a digest, but the request asked for the data (digest: false)");
                return [];
            }

            return [Compare(quantity, data, tensor)];
        }

        var comparisons = new List<TensorComparison>();
        string sha;
        if (actual.Tensor is { } whole)
        {
            var bytes = whole.ToBytes();
            sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var width = expected.DType.Size();
            var edge = expected.Edge;
            comparisons.Add(Compare(quantity + ".head", expected.Head!, HostTensor.FromBytes(expected.DType, [edge], bytes.AsSpan(0, edge * width))));
            comparisons.Add(Compare(quantity + ".tail", expected.Tail!, HostTensor.FromBytes(expected.DType, [edge], bytes.AsSpan(bytes.Length - (edge * width)))));
        }
        else
        {
            sha = actual.Sha256!;
            if (actual.Head is { } head && head.Length == expected.Edge)
            {
                comparisons.Add(Compare(quantity + ".head", expected.Head!, head));
            }

            if (actual.Tail is { } tail && tail.Length == expected.Edge)
            {
                comparisons.Add(Compare(quantity + ".tail", expected.Tail!, tail));
            }
        }

        if (sha != expected.Sha256)
        {
            failures.Add(comparisons.Count > 0 && comparisons.All(c => c.Passed)
                ? string.Create(CultureInfo.InvariantCulture, $"{quantity}: sha256 {sha}, recorded {expected.Sha256}: the first and last {expected.Edge} elements match, so some element between them differs")
                : $"{quantity}: sha256 {sha}, recorded {expected.Sha256}");
        }

        return comparisons;
    }

    private static void CompareState(string what, string expectedSha256, RandnReply reply, int index, List<string> failures)
    {
        if (reply.States is not { } states)
        {
            return;
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(states[index].AsSpan()));
        if (sha != expectedSha256)
        {
            failures.Add($"{what}: sha256 {sha}, recorded {expectedSha256}");
        }
    }

    private static void CompareCheckpoint(RandnSequence q, ImmutableArray<byte> actual, List<string> failures)
    {
        var expected = q.CheckpointState;
        for (var i = 0; i < expected.Length; i++)
        {
            if (i >= actual.Length || actual[i] != expected[i])
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"state after call {q.CheckpointAfter - 1}: differs from checkpoint_state first at byte {i} ({StateField(i)})"));
                return;
            }
        }
    }

    /// <summary>The field of torch's 5056-byte <c>CPUGeneratorImplState</c> at a byte offset (docs/randn.md, "The state").</summary>
    internal static string StateField(int offset) => offset switch
    {
        < 8 => "the_initial_seed",
        < 12 => "left",
        < 16 => "seeded",
        < 24 => "next",
        < 5016 => string.Create(CultureInfo.InvariantCulture, $"state[{(offset - 24) / 8}]"),
        < 5024 => "normal_x",
        < 5032 => "normal_y, the cached double sample",
        < 5040 => "normal_rho",
        < 5048 => "normal_is_valid",
        < 5052 => "next_float_normal_sample",
        _ => "is_next_float_normal_sample_valid",
    };

    /// <summary>prepare_latents' draw: one generator's tensor, or one (1, …) draw per generator, concatenated along the batch.</summary>
    private List<TensorComparison> CompareLatents(RandnTensorCase t, IReadOnlyList<RandnReply> replies, List<string> failures)
    {
        if (replies.Count == 1)
        {
            return CompareOutput("latents", t.Latents, replies[0].Outputs[0], failures);
        }

        var per = t.Shape.Skip(1).Aggregate(1L, (a, d) => a * d) * t.DType.Size();
        var bytes = new List<byte>();
        ImmutableArray<int> one = [1, .. t.Shape.Skip(1)];
        for (var k = 0; k < replies.Count; k++)
        {
            var output = replies[k].Outputs[0];
            if (output.Tensor is not { } part || output.DType != t.DType || !output.Shape.SequenceEqual(one))
            {
                return [new TensorComparison("latents", t.DType, (int)t.Latents.Count, 0, 0, 0, 0, null, null,
                    string.Create(CultureInfo.InvariantCulture, $"generator {k} (seed {t.Seeds[k]}) drew {(output.Tensor is null ? "a digest" : $"[{string.Join(", ", output.Shape)}] {output.DType.Name()}")}, expected [{string.Join(", ", one)}] {t.DType.Name()}"))];
            }

            bytes.AddRange(part.ToBytes());
        }

        var whole = HostTensor.FromBytes(t.DType, [.. t.Shape], bytes.ToArray());
        return per * replies.Count == bytes.Count
            ? CompareOutput("latents", t.Latents, new RandnOutput(t.DType, t.Shape, whole, null, null, null), failures)
            : throw new RunnerCheckException("the concatenated draws do not fill the latents");
    }
}

/// <summary>The <c>randn</c> calls a randn file's cases make (docs/randn.md, "Harness").</summary>
public static class RandnCases
{
    /// <summary>A <c>draws</c> entry: one contiguous draw from a fresh generator (a digest allowed where only one is recorded).</summary>
    public static RandnCallSpec Draw(RandnDraw draw, RandnSemantics semantics)
    {
        ArgumentNullException.ThrowIfNull(draw);
        return new RandnCallSpec(draw.Seed, null, [new RandnDrawSpec(draw.Shape, draw.DType, RandnLayout.Contiguous)], semantics, draw.Output.IsDigest);
    }

    /// <summary>A <c>strided</c> entry: one strided draw of n elements.</summary>
    public static RandnCallSpec Strided(RandnStrided strided, RandnSemantics semantics)
    {
        ArgumentNullException.ThrowIfNull(strided);
        return new RandnCallSpec(strided.Seed, null, [new RandnDrawSpec([strided.N], strided.DType, RandnLayout.Strided)], semantics, false);
    }

    /// <summary>A <c>sequences</c> entry: all its calls on one generator.</summary>
    public static RandnCallSpec Sequence(RandnSequence sequence, RandnSemantics semantics)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return new RandnCallSpec(sequence.Seed, null, [.. sequence.Calls.Select(Spec)], semantics, sequence.Calls.Any(c => c.Output.IsDigest));
    }

    /// <summary>The calls after a sequence's checkpoint, from a generator set to <c>checkpoint_state</c>.</summary>
    public static RandnCallSpec Resume(RandnSequence sequence, RandnSemantics semantics)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var rest = sequence.Calls.Skip(sequence.CheckpointAfter).ToList();
        return new RandnCallSpec(null, sequence.CheckpointState, [.. rest.Select(Spec)], semantics, rest.Any(c => c.Output.IsDigest));
    }

    /// <summary>A <c>randn_tensor</c> entry: one call per generator, the whole shape for one, <c>(1, …)</c> each for a list of several.</summary>
    public static IReadOnlyList<RandnCallSpec> Tensor(RandnTensorCase tensor, RandnSemantics semantics)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Seeds.Length == 1)
        {
            return [new RandnCallSpec(tensor.Seeds[0], null, [new RandnDrawSpec(tensor.Shape, tensor.DType, RandnLayout.Contiguous)], semantics, tensor.Latents.IsDigest)];
        }

        ImmutableArray<int> one = [1, .. tensor.Shape.Skip(1)];
        return [.. tensor.Seeds.Select(s => new RandnCallSpec(s, null, [new RandnDrawSpec(one, tensor.DType, RandnLayout.Contiguous)], semantics, false))];
    }

    private static RandnDrawSpec Spec(RandnCall call) => new(call.Shape, call.DType, RandnLayout.Contiguous);
}
