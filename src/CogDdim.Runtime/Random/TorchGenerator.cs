using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CogDdim.Numerics;

namespace CogDdim.Rng;

/// <summary>
/// torch's CPU generator (<c>torch.Generator()</c>, <c>at::CPUGeneratorImpl</c>) in .NET: the same mt19937 stream,
/// the same cached normal samples, the same state bytes, and <see cref="Randn(Span{float}, RandnSemantics?)"/>
/// that gives <c>torch.randn(shape, generator=g, dtype=…)</c>'s bits for the same seed, element count and dtype.
/// </summary>
/// <remarks>
/// <para>How torch draws <c>randn</c> on the CPU (<c>normal_</c> with mean 0, std 1), for a contiguous tensor of n
/// elements:</para>
/// <list type="bullet">
/// <item>n ≥ 16: the 16-wide path (<c>normal_fill</c>, see <see cref="NormalKernels"/>); float32 uses the AVX2
/// Cephes polynomials, float64 libm in double, float16 and bfloat16 libm in float with the dtype's roundings
/// (<see cref="RandnSemantics"/>). It neither reads nor writes the cached normal sample.</item>
/// <item>n &lt; 16 (and any non-contiguous tensor, <see cref="RandnSerial{T}"/>): element by element,
/// <c>normal_distribution&lt;double&gt;</c>: two 53-bit uniforms from two <c>random64()</c>, radius
/// <c>sqrt(-2 log1p(-u2))</c>, angle <c>2π u1</c>, returns <c>r cos θ</c> and caches <c>r sin θ</c> for the next
/// element (or the next call), then casts the double to the dtype (float16 and bfloat16 through float32).</item>
/// </list>
/// <para>Not thread-safe (torch takes a mutex; share a generator across threads only with your own lock).</para>
/// </remarks>
public sealed class TorchGenerator
{
    /// <summary>The seed of a fresh <c>torch.Generator()</c> (<c>default_rng_seed_val</c>).</summary>
    public const ulong DefaultSeed = 67280421310721;

    /// <summary>Bytes of <see cref="GetState"/>: torch's <c>CPUGeneratorImplState</c>, as <c>torch.Generator.get_state()</c> returns it.</summary>
    public const int StateSize = 5056;

    /// <summary>Bytes of the legacy state (<c>CPUGeneratorImplStateLegacy</c>) that <see cref="SetState"/> also accepts.</summary>
    public const int LegacyStateSize = 5048;

    private const int SeedOffset = 0;
    private const int LeftOffset = 8;
    private const int SeededOffset = 12;
    private const int NextOffset = 16;
    private const int WordsOffset = 24;
    private const int NormalXOffset = WordsOffset + (8 * Mt19937.StateWords); // 5016
    private const int NormalYOffset = NormalXOffset + 8;
    private const int NormalRhoOffset = NormalYOffset + 8;
    private const int NormalValidOffset = NormalRhoOffset + 8; // 5040, int, then 4 bytes of padding
    private const int NextFloatOffset = LegacyStateSize; // 5048
    private const int NextFloatValidOffset = NextFloatOffset + 4; // 5052, bool, then 3 bytes of padding

    private Mt19937 _engine;
    private double? _nextDoubleNormal;
    private float? _nextFloatNormal;

    /// <summary>A generator seeded as <c>torch.Generator()</c> is (<see cref="DefaultSeed"/>).</summary>
    public TorchGenerator()
        : this(DefaultSeed)
    {
    }

    /// <summary>A generator in the state <c>torch.Generator().manual_seed(seed)</c> leaves.</summary>
    public TorchGenerator(ulong seed) => _engine = new Mt19937(seed);

    private TorchGenerator(Mt19937 engine, double? nextDouble, float? nextFloat)
    {
        _engine = engine;
        _nextDoubleNormal = nextDouble;
        _nextFloatNormal = nextFloat;
    }

    /// <summary><c>initial_seed()</c>: the last seed, all 64 bits.</summary>
    public ulong InitialSeed => _engine.InitialSeed;

    /// <summary>The cached second value of the last serial Box-Muller pair, if any (the next serial draw returns it).</summary>
    public double? NextDoubleNormalSample => _nextDoubleNormal;

    /// <summary>The cached float normal sample (torch keeps one; its CPU <c>randn</c> never sets it).</summary>
    public float? NextFloatNormalSample => _nextFloatNormal;

    /// <summary><c>manual_seed(seed)</c>: re-seeds and drops the cached normal samples.</summary>
    public TorchGenerator ManualSeed(ulong seed)
    {
        _engine.Seed(seed);
        _nextDoubleNormal = null;
        _nextFloatNormal = null;
        return this;
    }

    /// <summary><c>manual_seed(seed)</c> for a negative Python int: torch reinterprets its two's complement as unsigned.</summary>
    public TorchGenerator ManualSeed(long seed) => ManualSeed(unchecked((ulong)seed));

    /// <summary>An independent copy (<c>clone_state</c>): same stream, same cached samples.</summary>
    public TorchGenerator Clone() => new(_engine.Clone(), _nextDoubleNormal, _nextFloatNormal);

    /// <summary><c>random()</c>: one 32-bit draw.</summary>
    public uint NextUInt32() => _engine.NextUInt32();

    /// <summary><c>random64()</c>: two draws, the first in the high half.</summary>
    public ulong NextUInt64()
    {
        var high = _engine.NextUInt32();
        var low = _engine.NextUInt32();
        return ((ulong)high << 32) | low;
    }

    // ------------------------------------------------------------------ state

    /// <summary>
    /// The state as torch's <c>get_state()</c> lays it out (5056 bytes, little-endian, x86-64 alignment):
    /// <c>u64 initial_seed; i32 left; i32 seeded; u64 next; u64 state[624]; f64 normal_x; f64 normal_y;
    /// f64 normal_rho; i32 normal_is_valid; pad 4; f32 next_float_normal_sample; u8 is_next_float_normal_sample_valid;
    /// pad 3</c>. The cached double sample is <c>normal_y</c>; <c>normal_x</c> and <c>normal_rho</c> are 0.
    /// Bytes of this are accepted by <c>torch.Generator().set_state(torch.tensor(list(bytes), dtype=torch.uint8))</c>.
    /// </summary>
    public byte[] GetState()
    {
        var bytes = new byte[StateSize];
        WriteState(bytes);
        return bytes;
    }

    /// <summary>Writes <see cref="GetState"/>'s bytes into <paramref name="destination"/> (at least <see cref="StateSize"/> bytes).</summary>
    public void WriteState(Span<byte> destination)
    {
        if (destination.Length < StateSize)
        {
            throw new ArgumentException($"a generator state needs {StateSize} bytes, the destination has {destination.Length}", nameof(destination));
        }

        destination[..StateSize].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination[SeedOffset..], _engine.InitialSeed);
        BinaryPrimitives.WriteInt32LittleEndian(destination[LeftOffset..], _engine.Left);
        BinaryPrimitives.WriteInt32LittleEndian(destination[SeededOffset..], _engine.Seeded ? 1 : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[NextOffset..], (ulong)_engine.Next);
        var words = _engine.State;
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(WordsOffset + (8 * i))..], words[i]);
        }

        if (_nextDoubleNormal is { } d)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[NormalValidOffset..], 1);
            BinaryPrimitives.WriteDoubleLittleEndian(destination[NormalYOffset..], d);
        }

        if (_nextFloatNormal is { } f)
        {
            destination[NextFloatValidOffset] = 1;
            BinaryPrimitives.WriteSingleLittleEndian(destination[NextFloatOffset..], f);
        }
    }

    /// <summary>
    /// <c>set_state(bytes)</c>: the <see cref="StateSize"/>-byte layout of <see cref="GetState"/>, or torch's legacy
    /// <see cref="LegacyStateSize"/>-byte one (whose cached sample is <c>normal_rho * sin(2π normal_x)</c>). Rejects
    /// other sizes and invalid engine bookkeeping, as torch does ("Invalid mt19937 state"); the generator is unchanged
    /// when it throws.
    /// </summary>
    public void SetState(ReadOnlySpan<byte> state)
    {
        if (state.Length != StateSize && state.Length != LegacyStateSize)
        {
            throw new ArgumentException(
                $"Expected either a CPUGeneratorImplStateLegacy of size {LegacyStateSize} or a CPUGeneratorImplState of size {StateSize} but found the input RNG state size to be {state.Length}",
                nameof(state));
        }

        Span<uint> words = stackalloc uint[Mt19937.StateWords];
        for (var i = 0; i < words.Length; i++)
        {
            // torch copies the 64-bit legacy words into 32-bit ones (keeping the low half).
            words[i] = (uint)BinaryPrimitives.ReadUInt64LittleEndian(state[(WordsOffset + (8 * i))..]);
        }

        var left = BinaryPrimitives.ReadInt32LittleEndian(state[LeftOffset..]);
        var seeded = BinaryPrimitives.ReadInt32LittleEndian(state[SeededOffset..]) != 0;
        var next = BinaryPrimitives.ReadUInt64LittleEndian(state[NextOffset..]);
        var engine = Mt19937.FromState(
            words,
            BinaryPrimitives.ReadUInt64LittleEndian(state[SeedOffset..]),
            seeded,
            left,
            next > int.MaxValue ? -1 : (int)(uint)next);

        double? nextDouble = null;
        float? nextFloat = null;
        var normalValid = BinaryPrimitives.ReadInt32LittleEndian(state[NormalValidOffset..]) != 0;
        if (state.Length == StateSize)
        {
            if (normalValid)
            {
                nextDouble = BinaryPrimitives.ReadDoubleLittleEndian(state[NormalYOffset..]);
            }

            if (state[NextFloatValidOffset] != 0)
            {
                nextFloat = BinaryPrimitives.ReadSingleLittleEndian(state[NextFloatOffset..]);
            }
        }
        else if (normalValid)
        {
            var rho = BinaryPrimitives.ReadDoubleLittleEndian(state[NormalRhoOffset..]);
            var x = BinaryPrimitives.ReadDoubleLittleEndian(state[NormalXOffset..]);
            nextDouble = rho * Math.Sin(2.0 * Math.PI * x);
        }

        _engine = engine;
        _nextDoubleNormal = nextDouble;
        _nextFloatNormal = nextFloat;
    }

    // ------------------------------------------------------------------ randn

    /// <summary><c>torch.randn(n, generator=g, dtype=torch.float32)</c> into a contiguous span of n elements.</summary>
    public void Randn(Span<float> destination, RandnSemantics? semantics = null)
    {
        semantics ??= RandnSemantics.Torch2Cpu;
        if (destination.Length >= 16)
        {
            NormalKernels.FillFloat(_engine, destination, semantics.Float32);
        }
        else
        {
            RandnSerial(destination, semantics);
        }
    }

    /// <summary><c>torch.randn(n, generator=g, dtype=torch.float64)</c> into a contiguous span of n elements.</summary>
    public void Randn(Span<double> destination, RandnSemantics? semantics = null)
    {
        semantics ??= RandnSemantics.Torch2Cpu;
        if (destination.Length >= 16)
        {
            NormalKernels.FillDouble(_engine, destination);
        }
        else
        {
            RandnSerial(destination, semantics);
        }
    }

    /// <summary><c>torch.randn(n, generator=g, dtype=torch.float16)</c> into a contiguous span of n elements.</summary>
    public void Randn(Span<Half> destination, RandnSemantics? semantics = null)
    {
        semantics ??= RandnSemantics.Torch2Cpu;
        if (destination.Length >= 16)
        {
            NormalKernels.FillHalf(_engine, destination, semantics.Float16);
        }
        else
        {
            RandnSerial(destination, semantics);
        }
    }

    /// <summary><c>torch.randn(n, generator=g, dtype=torch.bfloat16)</c> into a contiguous span of n elements.</summary>
    public void Randn(Span<BFloat16> destination, RandnSemantics? semantics = null)
    {
        semantics ??= RandnSemantics.Torch2Cpu;
        if (destination.Length >= 16)
        {
            NormalKernels.FillBFloat16(_engine, destination, semantics.BFloat16);
        }
        else
        {
            RandnSerial(destination, semantics);
        }
    }

    /// <summary>
    /// <see cref="Randn(Span{float}, RandnSemantics?)"/> for any of the four element types (float, double,
    /// <see cref="Half"/>, <see cref="BFloat16"/>).
    /// </summary>
    public void Randn<T>(Span<T> destination, RandnSemantics? semantics = null)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Randn(MemoryMarshal.Cast<T, float>(destination), semantics);
        }
        else if (typeof(T) == typeof(double))
        {
            Randn(MemoryMarshal.Cast<T, double>(destination), semantics);
        }
        else if (typeof(T) == typeof(Half))
        {
            Randn(MemoryMarshal.Cast<T, Half>(destination), semantics);
        }
        else if (typeof(T) == typeof(BFloat16))
        {
            Randn(MemoryMarshal.Cast<T, BFloat16>(destination), semantics);
        }
        else
        {
            throw new NotSupportedException($"randn into {typeof(T).Name}: torch's normal_ takes float64, float32, float16 and bfloat16");
        }
    }

    /// <summary>
    /// <c>torch.randn(shape, generator=g, dtype=…)</c> as a new row-major array. Throws like torch for a negative
    /// dimension; a zero dimension gives an empty array and draws nothing.
    /// </summary>
    public T[] RandnArray<T>(ReadOnlySpan<int> shape, RandnSemantics? semantics = null)
        where T : unmanaged
    {
        var result = new T[checked((int)ElementCount(shape))];
        Randn<T>(result, semantics);
        return result;
    }

    /// <summary>
    /// The serial path: what torch does for fewer than 16 elements, and for a non-contiguous tensor of any size, with
    /// the elements in the tensor iterator's order (for a simple strided view, memory order). Uses and leaves the cached
    /// normal sample.
    /// </summary>
    public void RandnSerial<T>(Span<T> destination, RandnSemantics? semantics = null)
        where T : unmanaged
    {
        semantics ??= RandnSemantics.Torch2Cpu;
        var log1p = semantics.SerialLog == RandnSerialLog.Log1p;
        if (typeof(T) == typeof(double))
        {
            var d = MemoryMarshal.Cast<T, double>(destination);
            for (var i = 0; i < d.Length; i++)
            {
                d[i] = NextNormal(log1p);
            }
        }
        else if (typeof(T) == typeof(float))
        {
            var f = MemoryMarshal.Cast<T, float>(destination);
            for (var i = 0; i < f.Length; i++)
            {
                f[i] = (float)NextNormal(log1p);
            }
        }
        else if (typeof(T) == typeof(Half))
        {
            var h = MemoryMarshal.Cast<T, Half>(destination);
            for (var i = 0; i < h.Length; i++)
            {
                h[i] = (Half)(float)NextNormal(log1p);
            }
        }
        else if (typeof(T) == typeof(BFloat16))
        {
            var b = MemoryMarshal.Cast<T, BFloat16>(destination);
            for (var i = 0; i < b.Length; i++)
            {
                b[i] = (BFloat16)(float)NextNormal(log1p);
            }
        }
        else
        {
            throw new NotSupportedException($"randn into {typeof(T).Name}: torch's normal_ takes float64, float32, float16 and bfloat16");
        }
    }

    /// <summary>One <c>normal_distribution&lt;double&gt;(0, 1)</c> sample, as the serial path draws it.</summary>
    public double NextNormal(RandnSemantics? semantics = null) =>
        NextNormal((semantics ?? RandnSemantics.Torch2Cpu).SerialLog == RandnSerialLog.Log1p);

    /// <summary>The element count of <paramref name="shape"/>, with torch's message for a negative dimension.</summary>
    public static long ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Trying to create tensor with negative dimension {dim}: [{string.Join(", ", shape.ToArray())}]", nameof(shape));
            }

            count = checked(count * dim);
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), count, "too many elements for one .NET array");
        }

        return count;
    }

    private double NextNormal(bool log1p)
    {
        if (_nextDoubleNormal is { } cached)
        {
            _nextDoubleNormal = null;
            return (cached * 1.0) + 0.0;
        }

        var u1 = NormalKernels.Uniform53(_engine.NextUInt32(), _engine.NextUInt32());
        var u2 = NormalKernels.Uniform53(_engine.NextUInt32(), _engine.NextUInt32());
        var r = Math.Sqrt(-2.0 * (log1p ? LibmNative.Log1p(-u2) : Math.Log(1.0 - u2)));
        var (sin, cos) = Math.SinCos(2.0 * Math.PI * u1);
        _nextDoubleNormal = r * sin;
        return (r * cos * 1.0) + 0.0;
    }
}
