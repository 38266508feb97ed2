using System.Globalization;
using System.Text.RegularExpressions;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// The inputs behind a case's differing element, read back from the fixture, and the one protocol request that
/// recomputes it: piping that line into a port reproduces the case without the harness.
/// </summary>
public static class Reproduction
{
    /// <summary>The fixture's inputs at the differing element and the protocol request (one JSON line) that recomputes the case.</summary>
    /// <param name="fixture">The suite the case came from.</param>
    /// <param name="profile">The semantics the case ran under (carried by the request).</param>
    /// <param name="c">The case.</param>
    /// <param name="quantity">The differing quantity, e.g. <c>prev_samples[3]</c> (a trajectory's step is read from its index); null if none.</param>
    /// <param name="element">The differing element's row-major index; null for none.</param>
    public static (IReadOnlyList<ReproInput> Inputs, string? Request) Of(FixtureSuite fixture, SemanticsProfile profile, CaseResult c, string? quantity, int? element)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(c);
        var context = CandidateProtocol.Context.Of(fixture.Config, profile);
        var inputs = new List<ReproInput>();
        string? request = null;
        if (fixture.Randn is { } randn)
        {
            return Randn(randn, profile.Randn, c);
        }

        switch (c.Kind)
        {
            case CaseKinds.Schedule:
                request = CandidateProtocol.CallRequest(0, CandidateProtocol.Schedule, context, _ => { });
                if (element is { } index)
                {
                    inputs.Add(new ReproInput("training timestep index", index.ToString(CultureInfo.InvariantCulture), null));
                }

                break;
            case CaseKinds.SetTimesteps when c.Index >= 0 && c.Index < fixture.SetTimesteps.Length:
                var n = fixture.SetTimesteps[c.Index].NumInferenceSteps;
                inputs.Add(new ReproInput("num_inference_steps", n.ToString(CultureInfo.InvariantCulture), null));
                request = CandidateProtocol.CallRequest(0, CandidateProtocol.SetTimesteps, context, CandidateProtocol.SetTimestepsArgs(n));
                break;
            case CaseKinds.Step when c.Index >= 0 && c.Index < fixture.Steps.Length:
            {
                var s = fixture.Steps[c.Index];
                Scalars(inputs, s.NumInferenceSteps, s.Timestep);
                Element(inputs, "sample", s.Sample, element);
                Element(inputs, "model_output", s.ModelOutput, element);
                request = CandidateProtocol.CallRequest(0, CandidateProtocol.Step, context,
                    CandidateProtocol.StepArgs(s.NumInferenceSteps, s.Timestep, s.ModelOutput, s.Sample));
                break;
            }

            case CaseKinds.Trajectory when c.Index >= 0 && c.Index < fixture.Trajectories.Length:
            {
                var t = fixture.Trajectories[c.Index];
                var step = StepOf(quantity);
                if (step is { } i && i < t.Timesteps.Length && i < t.ModelOutputs.Length)
                {
                    // The sample this step got when every earlier step matched the record.
                    var sample = i == 0 ? t.Latents : t.CastBack ? t.PrevSamples[i - 1].To(t.DType) : t.PrevSamples[i - 1];
                    Scalars(inputs, t.NumInferenceSteps, t.Timesteps[i]);
                    inputs.Add(new ReproInput("trajectory step", i.ToString(CultureInfo.InvariantCulture), null));
                    Element(inputs, "sample", sample, element);
                    Element(inputs, "model_output", t.ModelOutputs[i], element);
                    request = CandidateProtocol.CallRequest(0, CandidateProtocol.Step, context,
                        CandidateProtocol.StepArgs(t.NumInferenceSteps, t.Timesteps[i], t.ModelOutputs[i], sample));
                }

                break;
            }

            case CaseKinds.AddNoise or CaseKinds.GetVelocity:
            {
                var list = c.Kind == CaseKinds.AddNoise ? fixture.AddNoise : fixture.GetVelocity;
                if (c.Index < 0 || c.Index >= list.Length)
                {
                    break;
                }

                var noise = list[c.Index];
                var inputName = c.Kind == CaseKinds.AddNoise ? "original_samples" : "sample";
                inputs.Add(new ReproInput("timesteps", noise.Timesteps.DType == DType.Int64
                    ? "[" + string.Join(", ", noise.Timesteps.As<long>()) + "]"
                    : $"({noise.Timesteps.DType.Name()} tensor of {noise.Timesteps.Length})", null));
                Element(inputs, inputName, noise.Input, element);
                Element(inputs, "noise", noise.Noise, element);
                request = CandidateProtocol.CallRequest(0, c.Kind, context, CandidateProtocol.NoiseArgs(inputName, noise.Input, noise.Noise, noise.Timesteps));
                break;
            }
        }

        return (inputs, request);
    }

    private static (IReadOnlyList<ReproInput> Inputs, string? Request) Randn(RandnFixture file, Rng.RandnSemantics semantics, CaseResult c)
    {
        var i = c.Index;
        Backends.RandnCallSpec? call = c.Kind switch
        {
            CaseKinds.RandnDraw when i >= 0 && i < file.Draws.Length => RandnCases.Draw(file.Draws[i], semantics),
            CaseKinds.RandnStrided when i >= 0 && i < file.Strided.Length => RandnCases.Strided(file.Strided[i], semantics),
            CaseKinds.RandnSequence when i >= 0 && i < file.Sequences.Length => RandnCases.Sequence(file.Sequences[i], semantics),
            CaseKinds.RandnResume when i >= 0 && i < file.Sequences.Length => RandnCases.Resume(file.Sequences[i], semantics),
            CaseKinds.RandnTensor when i >= 0 && i < file.RandnTensor.Length => RandnCases.Tensor(file.RandnTensor[i], semantics)[0],
            _ => null,
        };
        if (call is null)
        {
            return ([], null);
        }

        var inputs = new List<ReproInput>
        {
            call.Seed is { } seed
                ? new ReproInput("seed", seed.ToString(CultureInfo.InvariantCulture), null)
                : new ReproInput("state", "checkpoint_state of the sequence", null),
            new("draws", string.Join("; ", call.Draws), null),
        };
        return (inputs, CandidateRandnProtocol.Request(0, call));
    }

    private static int? StepOf(string? quantity) =>
        quantity is not null && Regex.Match(quantity, @"\[(\d+)\]$") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;

    private static void Scalars(List<ReproInput> inputs, int n, long t)
    {
        inputs.Add(new ReproInput("num_inference_steps", n.ToString(CultureInfo.InvariantCulture), null));
        inputs.Add(new ReproInput("timestep", t.ToString(CultureInfo.InvariantCulture), null));
    }

    private static void Element(List<ReproInput> inputs, string name, HostTensor tensor, int? element)
    {
        if (element is { } i && i < tensor.Length)
        {
            inputs.Add(new ReproInput($"{name}[{i}] ({tensor.DType.Name()})", tensor.FormatElement(i), tensor.FormatBits(i)));
        }
    }
}
