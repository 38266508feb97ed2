using CogDdim.Numerics;

namespace CogDdim.Tensors;

/// <summary><c>tensor.to(dtype)</c> on the host, with torch's rounding: float64 → float16/bfloat16 goes through float32.</summary>
public static class TensorConvert
{
    /// <summary>Converts to another floating dtype as torch's <c>tensor.to(dtype)</c> rounds; the same tensor when the dtype is already <paramref name="dtype"/>.</summary>
    /// <param name="tensor">A floating-point tensor.</param>
    /// <param name="dtype">A floating-point target dtype; int64 either side is a <see cref="NotSupportedException"/>.</param>
    public static HostTensor To(this HostTensor tensor, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DType == dtype)
        {
            return tensor;
        }

        if (!tensor.DType.IsFloatingPoint() || !dtype.IsFloatingPoint())
        {
            throw new NotSupportedException($"conversion from {tensor.DType.Name()} to {dtype.Name()} is not supported");
        }

        var result = HostTensor.Zeros(dtype, tensor.ShapeArray());
        for (var i = 0; i < tensor.Length; i++)
        {
            var value = tensor.GetDouble(i);
            switch (result.Data)
            {
                case double[] d: d[i] = value; break;
                case float[] f: f[i] = (float)value; break;
                case Half[] h: h[i] = (Half)(float)value; break;
                case BFloat16[] b: b[i] = (BFloat16)(float)value; break;
            }
        }

        return result;
    }

    /// <summary>One value in its dtype, as the shortest decimal that reads back to the same bits.</summary>
    public static string FormatElement(this HostTensor tensor, int index) => tensor.Data switch
    {
        double[] d => d[index].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float[] f => f[index].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        Half[] h => h[index].ToString(System.Globalization.CultureInfo.InvariantCulture),
        BFloat16[] b => b[index].ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        long[] l => l[index].ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "?",
    };

    /// <summary>One element's bits in hex at the dtype's width: <c>0x3F800000</c> for a float32 1.0.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="index">The element's row-major index.</param>
    public static string FormatBits(this HostTensor tensor, int index) =>
        "0x" + tensor.GetBits(index).ToString(tensor.DType.Size() switch { 8 => "X16", 4 => "X8", _ => "X4" }, System.Globalization.CultureInfo.InvariantCulture);
}
