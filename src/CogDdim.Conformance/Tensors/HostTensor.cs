using System.Runtime.InteropServices;
using CogDdim.Numerics;

namespace CogDdim.Tensors;

/// <summary>
/// A dense, row-major tensor in host memory: the exchange type between fixtures, backends and the harness.
/// The element array's CLR type always matches <see cref="DType"/>.
/// </summary>
public sealed class HostTensor
{
    private HostTensor(DType dtype, int[] shape, Array data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>The element type, as the fixture's <c>dtype</c> names it.</summary>
    public DType DType { get; }

    /// <summary>The row-major dimensions; empty for a 0-dim tensor holding one value.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The elements: <c>double[]</c>, <c>float[]</c>, <c>Half[]</c>, <c>BFloat16[]</c> or <c>long[]</c>.</summary>
    public Array Data { get; }

    /// <summary>The number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length => Data.Length;

    /// <summary>The number of dimensions; 0 for a 0-dim tensor.</summary>
    public int Rank => Shape.Count;

    /// <summary>Wraps an element array (not copied) as a tensor of the given shape; no shape is a 0-dim tensor.</summary>
    /// <typeparam name="T"><c>double</c>, <c>float</c>, <c>Half</c>, <c>BFloat16</c> or <c>long</c>.</typeparam>
    /// <param name="data">The elements, row-major; their count must be the shape's.</param>
    /// <param name="shape">The dimensions.</param>
    public static HostTensor Create<T>(T[] data, params int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var dtype = DTypes.Of<T>() ?? throw new ArgumentException($"{typeof(T).Name} has no torch dtype", nameof(data));
        var count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"shape [{string.Join(", ", shape)}] holds {count} elements but {data.Length} were given", nameof(shape));
        }

        return new HostTensor(dtype, (int[])shape.Clone(), data);
    }

    /// <summary>A 0-dim tensor holding one value.</summary>
    /// <typeparam name="T"><c>double</c>, <c>float</c>, <c>Half</c>, <c>BFloat16</c> or <c>long</c>.</typeparam>
    /// <param name="value">The value.</param>
    public static HostTensor Scalar<T>(T value)
        where T : unmanaged => Create([value]);

    /// <summary>A tensor of zeros (all bits clear) of the given dtype and shape.</summary>
    /// <param name="dtype">The dtype.</param>
    /// <param name="shape">The dimensions; none is a 0-dim tensor.</param>
    public static HostTensor Zeros(DType dtype, params int[] shape)
    {
        var count = ElementCount(shape);
        Array data = dtype switch
        {
            DType.Float64 => new double[count],
            DType.Float32 => new float[count],
            DType.Float16 => new Half[count],
            DType.BFloat16 => new BFloat16[count],
            DType.Int64 => new long[count],
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        return new HostTensor(dtype, (int[])shape.Clone(), data);
    }

    /// <summary>Builds a tensor from raw little-endian bytes, as the fixture format stores them.</summary>
    public static HostTensor FromBytes(DType dtype, int[] shape, ReadOnlySpan<byte> bytes)
    {
        var count = ElementCount(shape);
        if ((long)count * dtype.Size() != bytes.Length)
        {
            throw new FormatException(
                $"{bytes.Length} bytes do not hold shape [{string.Join(", ", shape)}] of {dtype.Name()} ({(long)count * dtype.Size()} bytes expected)");
        }

        var tensor = Zeros(dtype, shape);
        var target = MemoryMarshal.AsBytes(tensor.BytesView());
        bytes.CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        return tensor;
    }

    /// <summary>The element array itself (not a copy); <see cref="InvalidOperationException"/> when <typeparamref name="T"/> is not the dtype's CLR type.</summary>
    /// <typeparam name="T">The dtype's CLR type.</typeparam>
    public T[] As<T>()
        where T : unmanaged =>
        Data as T[] ?? throw new InvalidOperationException($"tensor holds {DType.Name()}, not {typeof(T).Name}");

    /// <summary>The elements as a read-only span; <see cref="InvalidOperationException"/> when <typeparamref name="T"/> is not the dtype's CLR type.</summary>
    /// <typeparam name="T">The dtype's CLR type.</typeparam>
    public ReadOnlySpan<T> Span<T>()
        where T : unmanaged => As<T>();

    /// <summary>The raw little-endian bytes of the elements.</summary>
    public byte[] ToBytes() => MemoryMarshal.AsBytes(BytesView()).ToArray();

    /// <summary>The element's bits as an unsigned integer of the dtype's width.</summary>
    public ulong GetBits(int index) => Data switch
    {
        double[] d => BitConverter.DoubleToUInt64Bits(d[index]),
        float[] f => BitConverter.SingleToUInt32Bits(f[index]),
        Half[] h => BitConverter.HalfToUInt16Bits(h[index]),
        BFloat16[] b => b[index].ToBits(),
        long[] l => unchecked((ulong)l[index]),
        _ => throw new InvalidOperationException("unknown element array"),
    };

    /// <summary>The element as a double (exact for every floating dtype here).</summary>
    public double GetDouble(int index) => Data switch
    {
        double[] d => d[index],
        float[] f => f[index],
        Half[] h => (double)h[index],
        BFloat16[] b => (double)b[index],
        long[] l => l[index],
        _ => throw new InvalidOperationException("unknown element array"),
    };

    /// <summary>The shape as reports print it: <c>[1, 2, 4]</c>, <c>[]</c> for a 0-dim tensor.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>Whether both tensors have the same dimensions (dtypes not compared).</summary>
    /// <param name="other">The other tensor.</param>
    public bool SameShape(HostTensor other) => Shape.SequenceEqual(other.Shape);

    /// <summary>A copy of <see cref="Shape"/> as an array.</summary>
    public int[] ShapeArray() => [.. Shape];

    /// <summary>The product of the dimensions (1 for none); a negative dimension or more than an array can hold throws <see cref="ArgumentException"/>.</summary>
    /// <param name="shape">The dimensions.</param>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension {d} in shape", nameof(shape));
            }

            count *= d;
            if (count > Array.MaxLength)
            {
                throw new ArgumentException("shape holds more elements than an array can", nameof(shape));
            }
        }

        return (int)count;
    }

    private Span<byte> BytesView() => Data switch
    {
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        Half[] h => MemoryMarshal.AsBytes(h.AsSpan()),
        BFloat16[] b => MemoryMarshal.AsBytes(b.AsSpan()),
        long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
        _ => throw new InvalidOperationException("unknown element array"),
    };

    /// <summary>The dtype and shape, e.g. <c>bfloat16[1, 13, 16]</c>.</summary>
    public override string ToString() => $"{DType.Name()}{ShapeText}";
}
