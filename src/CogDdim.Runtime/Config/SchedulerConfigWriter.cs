using System.Text.Json;

namespace CogDdim.Config;

/// <summary>Writes a config as diffusers' <c>scheduler_config.json</c> keys (all 14, in <c>__init__</c> order).</summary>
public static class SchedulerConfigWriter
{
    /// <summary>Writes <paramref name="config"/> as one JSON object; a deferred invalid enum string is written back as it was read.</summary>
    /// <param name="writer">Where the object goes.</param>
    /// <param name="config">The config to write.</param>
    public static void Write(Utf8JsonWriter writer, SchedulerConfig config)
    {
        string Deferred(string key, string name) => config.DeferredInvalidValues.TryGetValue(key, out var raw) ? raw : name;

        writer.WriteStartObject();
        writer.WriteNumber(ConfigKeys.NumTrainTimesteps, config.NumTrainTimesteps);
        writer.WriteNumber(ConfigKeys.BetaStart, config.BetaStart);
        writer.WriteNumber(ConfigKeys.BetaEnd, config.BetaEnd);
        writer.WriteString(ConfigKeys.BetaSchedule, Deferred(ConfigKeys.BetaSchedule, config.BetaSchedule.Name()));
        if (config.TrainedBetas is { } betas)
        {
            writer.WriteStartArray(ConfigKeys.TrainedBetas);
            foreach (var beta in betas)
            {
                writer.WriteNumberValue(beta);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull(ConfigKeys.TrainedBetas);
        }

        writer.WriteBoolean(ConfigKeys.ClipSample, config.ClipSample);
        writer.WriteBoolean(ConfigKeys.SetAlphaToOne, config.SetAlphaToOne);
        writer.WriteNumber(ConfigKeys.StepsOffset, config.StepsOffset);
        writer.WriteString(ConfigKeys.PredictionType, Deferred(ConfigKeys.PredictionType, config.PredictionType.Name()));
        writer.WriteNumber(ConfigKeys.ClipSampleRange, config.ClipSampleRange);
        writer.WriteNumber(ConfigKeys.SampleMaxValue, config.SampleMaxValue);
        writer.WriteString(ConfigKeys.TimestepSpacing, Deferred(ConfigKeys.TimestepSpacing, config.TimestepSpacing.Name()));
        writer.WriteBoolean(ConfigKeys.RescaleBetasZeroSnr, config.RescaleBetasZeroSnr);
        writer.WriteNumber(ConfigKeys.SnrShiftScale, config.SnrShiftScale);
        writer.WriteEndObject();
    }

    /// <summary><see cref="Write"/> into an indented UTF-8 JSON string.</summary>
    /// <param name="config">The config to write.</param>
    public static string ToJson(SchedulerConfig config)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, config);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
