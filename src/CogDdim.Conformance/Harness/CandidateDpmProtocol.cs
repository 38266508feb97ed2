using System.Text.Json;
using CogDdim.Fixtures;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// The CogVideoXDPMScheduler extension of <c>cogddim-candidate/1</c> (additive: a port that does not list
/// <c>dpm_step</c> in its hello has its DPM step cases skipped). The DPM suites' other calls (schedule,
/// set_timesteps, add_noise, get_velocity) are the DDIM ones: the two classes share them.
/// </summary>
public static class CandidateDpmProtocol
{
    /// <summary>diffusers' <c>CogVideoXDPMScheduler.step</c> with the generator's draw given.</summary>
    public const string DpmStep = "dpm_step";

    /// <summary>
    /// <c>num_inference_steps</c> (null: never set), <c>timestep</c>, <c>timestep_back</c> (null: None),
    /// <c>model_output</c>, <c>old_pred_original_sample</c> (null: None), <c>sample</c>, <c>noise</c> (the draw that
    /// enters prev_sample: diffusers' second on a second-order step) and <c>noise_draws</c> (how many
    /// <c>randn_tensor</c> calls diffusers made; informative, 0 when it failed before drawing).
    /// </summary>
    public static Action<Utf8JsonWriter> DpmStepArgs(int? numInferenceSteps, long timestep, long? timestepBack, HostTensor modelOutput,
        HostTensor? oldPredOriginalSample, HostTensor sample, HostTensor noise, int? noiseDraws) => w =>
    {
        if (numInferenceSteps is { } n)
        {
            w.WriteNumber("num_inference_steps", n);
        }
        else
        {
            w.WriteNull("num_inference_steps");
        }

        w.WriteNumber("timestep", timestep);
        if (timestepBack is { } back)
        {
            w.WriteNumber("timestep_back", back);
        }
        else
        {
            w.WriteNull("timestep_back");
        }

        FixtureWriter.WriteTensor(w, "model_output", modelOutput);
        if (oldPredOriginalSample is { } old)
        {
            FixtureWriter.WriteTensor(w, "old_pred_original_sample", old);
        }
        else
        {
            w.WriteNull("old_pred_original_sample");
        }

        FixtureWriter.WriteTensor(w, "sample", sample);
        FixtureWriter.WriteTensor(w, "noise", noise);
        if (noiseDraws is { } draws)
        {
            w.WriteNumber("noise_draws", draws);
        }
    };
}
