using System.Text.Json;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Fixtures;

/// <summary>Writes <c>cogddim-fixture/1</c>, in the key order of the committed files.</summary>
public static class FixtureWriter
{
    /// <summary>Writes a suite to a file, replacing it.</summary>
    /// <param name="suite">The suite.</param>
    /// <param name="path">The file to write.</param>
    public static void WriteFile(FixtureSuite suite, string path)
    {
        using var stream = File.Create(path);
        Write(suite, stream);
    }

    /// <summary>The suite as <c>cogddim-fixture/1</c> JSON text.</summary>
    /// <param name="suite">The suite.</param>
    public static string ToJson(FixtureSuite suite)
    {
        using var stream = new MemoryStream();
        Write(suite, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes a suite as UTF-8 JSON to a stream, which stays open.</summary>
    /// <param name="suite">The suite.</param>
    /// <param name="stream">Where the JSON goes.</param>
    public static void Write(FixtureSuite suite, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("format", FixtureSuite.FormatName);
        w.WriteString("name", suite.Name);
        w.WriteString("description", suite.Description);
        WriteReference(w, suite.Reference);
        w.WritePropertyName("config");
        SchedulerConfigWriter.Write(w, suite.Config);
        if (suite.ConstructError is { } constructError)
        {
            WriteError(w, "construct_error", constructError);
            w.WriteEndObject();
            return;
        }

        if (suite.Schedule is { } schedule)
        {
            w.WriteStartObject("schedule");
            WriteTensor(w, "betas", schedule.Betas);
            WriteTensor(w, "alphas", schedule.Alphas);
            WriteTensor(w, "alphas_cumprod", schedule.AlphasCumprod);
            WriteTensor(w, "final_alpha_cumprod", schedule.FinalAlphaCumprod);
            w.WriteNumber("init_noise_sigma", schedule.InitNoiseSigma);
            w.WriteNumber("order", schedule.Order);
            w.WriteNumber("len", schedule.Len);
            WriteTensor(w, "timesteps", schedule.Timesteps);
            w.WriteEndObject();
        }

        w.WriteStartArray("set_timesteps");
        foreach (var c in suite.SetTimesteps)
        {
            w.WriteStartObject();
            w.WriteNumber("num_inference_steps", c.NumInferenceSteps);
            if (c.Error is { } e)
            {
                WriteError(w, "error", e);
            }
            else
            {
                WriteLongs(w, "timesteps", c.Timesteps ?? []);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("step");
        foreach (var c in suite.Steps)
        {
            w.WriteStartObject();
            w.WriteNumber("num_inference_steps", c.NumInferenceSteps);
            w.WriteNumber("timestep", c.Timestep);
            WriteTensor(w, "sample", c.Sample);
            WriteTensor(w, "model_output", c.ModelOutput);
            if (c.Error is { } e)
            {
                WriteError(w, "error", e);
            }
            else
            {
                WriteTensor(w, "prev_sample", c.PrevSample!);
                WriteTensor(w, "pred_original_sample", c.PredOriginalSample!);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("trajectories");
        foreach (var c in suite.Trajectories)
        {
            w.WriteStartObject();
            w.WriteNumber("num_inference_steps", c.NumInferenceSteps);
            w.WriteString("dtype", c.DType.Name());
            if (c.ModelDType is { } modelDType)
            {
                w.WriteString("model_dtype", modelDType.Name());
            }

            if (c.CastBack)
            {
                w.WriteBoolean("cast_back", true);
            }

            w.WriteString("model", c.Model);
            WriteTensor(w, "latents", c.Latents);
            WriteLongs(w, "timesteps", c.Timesteps);
            WriteTensors(w, "model_outputs", c.ModelOutputs);
            WriteTensors(w, "prev_samples", c.PrevSamples);
            WriteTensors(w, "pred_original_samples", c.PredOriginalSamples);
            if (c.Error is { } e)
            {
                WriteError(w, "error", e);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteNoiseCases(w, "add_noise", "original_samples", "noisy_samples", suite.AddNoise);
        WriteNoiseCases(w, "get_velocity", "sample", "velocity", suite.GetVelocity);
        w.WriteStartArray("errors");
        foreach (var c in suite.Errors)
        {
            w.WriteStartObject();
            w.WriteString("call", c.Call);
            WriteError(w, "error", c.Error);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes a property holding a tensor in the fixture encoding (<c>dtype</c>, <c>shape</c>, base64 <c>data</c>).</summary>
    /// <param name="w">The writer, inside an object.</param>
    /// <param name="name">The property name.</param>
    /// <param name="tensor">The tensor.</param>
    public static void WriteTensor(Utf8JsonWriter w, string name, HostTensor tensor)
    {
        w.WritePropertyName(name);
        WriteTensorValue(w, tensor);
    }

    /// <summary>Writes a tensor in the fixture encoding: <c>{"dtype", "shape", "data"}</c>, data as base64 of the little-endian bytes.</summary>
    /// <param name="w">The writer, where a value goes.</param>
    /// <param name="tensor">The tensor.</param>
    public static void WriteTensorValue(Utf8JsonWriter w, HostTensor tensor)
    {
        w.WriteStartObject();
        w.WriteString("dtype", tensor.DType.Name());
        w.WriteStartArray("shape");
        foreach (var d in tensor.Shape)
        {
            w.WriteNumberValue(d);
        }

        w.WriteEndArray();
        w.WriteBase64String("data", tensor.ToBytes());
        w.WriteEndObject();
    }

    private static void WriteTensors(Utf8JsonWriter w, string name, IEnumerable<HostTensor> tensors)
    {
        w.WriteStartArray(name);
        foreach (var t in tensors)
        {
            WriteTensorValue(w, t);
        }

        w.WriteEndArray();
    }

    private static void WriteNoiseCases(Utf8JsonWriter w, string name, string inputKey, string outputKey, IEnumerable<NoiseCase> cases)
    {
        w.WriteStartArray(name);
        foreach (var c in cases)
        {
            w.WriteStartObject();
            WriteTensor(w, inputKey, c.Input);
            WriteTensor(w, "noise", c.Noise);
            WriteTensor(w, "timesteps", c.Timesteps);
            if (c.Error is { } e)
            {
                WriteError(w, "error", e);
            }
            else
            {
                WriteTensor(w, outputKey, c.Expected!);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteLongs(Utf8JsonWriter w, string name, IEnumerable<long> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteError(Utf8JsonWriter w, string name, FixtureError error)
    {
        w.WriteStartObject(name);
        w.WriteString("type", error.Type);
        w.WriteString("message", error.Message);
        w.WriteEndObject();
    }

    private static void WriteReference(Utf8JsonWriter w, FixtureReference reference)
    {
        w.WriteStartObject("reference");
        w.WriteString("library", reference.Library);
        w.WriteString("version", reference.Version);
        w.WriteString("class", reference.Class);
        w.WriteString("torch", reference.Torch);
        w.WriteString("numpy", reference.Numpy);
        w.WriteString("python", reference.Python);
        w.WriteString("device", reference.Device);
        WriteSemantics(w, reference.Semantics);
        w.WriteEndObject();
    }

    /// <summary>Writes the <c>semantics</c> property: <c>scalar_policy</c>, <c>linspace_rounding</c> and <c>cumprod_float32_accumulator</c>.</summary>
    /// <param name="w">The writer, inside an object.</param>
    /// <param name="profile">The torch build's semantics.</param>
    public static void WriteSemantics(Utf8JsonWriter w, SemanticsProfile profile)
    {
        w.WriteStartObject("semantics");
        w.WriteStartObject("scalar_policy");
        foreach (var dtype in new[] { DType.BFloat16, DType.Float16 })
        {
            w.WriteStartObject(dtype.Name());
            foreach (var form in Enum.GetValues<ScalarForm>())
            {
                w.WriteString(SemanticsProfile.FormName(form), profile.PolicyFor(dtype, form) == ScalarPolicy.Cast ? "cast" : "opmath");
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("linspace_rounding");
        w.WriteString("float64", SemanticsProfile.LinspaceName(profile.LinspaceFloat64));
        w.WriteString("float32", SemanticsProfile.LinspaceName(profile.LinspaceFloat32));
        w.WriteEndObject();
        w.WriteString("cumprod_float32_accumulator",
            profile.CumprodFloat32Accumulator == CumprodAccumulator.Float64 ? "float64" : "float32");
        w.WriteEndObject();
    }
}
