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

    public DType DType { get; }

    public IReadOnlyList<int> Shape { get; }

    /// <summary>The elements: <c>double[]</c>, <c>float[]</c>, <c>Half[]</c>, <c>BFloat16[]</c> or <c>long[]</c>.</summary>
    public Array Data { get; }

    public int Length => Data.Length;

    public int Rank => Shape.Count;

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

    public static HostTensor Scalar<T>(T value)
        where T : unmanaged => Create([value]);

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

    public T[] As<T>()
        where T : unmanaged =>
        Data as T[] ?? throw new InvalidOperationException($"tensor holds {DType.Name()}, not {typeof(T).Name}");

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

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public bool SameShape(HostTensor other) => Shape.SequenceEqual(other.Shape);

    public int[] ShapeArray() => [.. Shape];

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

    public override string ToString() => $"{DType.Name()}{ShapeText}";
}
