using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Rng;

/// <summary>
/// The 32-bit Mersenne Twister (MT19937) with the bookkeeping of torch's <c>at::mt19937</c>: a 624-word state,
/// <c>left</c> (draws until the next twist, plus one) and <c>next</c> (the index of the next word). Its outputs are
/// those of <c>std::mt19937</c> seeded with the same 32-bit value.
/// </summary>
/// <remarks>
/// After seeding, <c>left = 1</c> and <c>next = 0</c>: the first draw twists the state. A draw decrements
/// <c>left</c>; when it reaches 0 the state is twisted (<c>left = 624</c>, <c>next = 0</c>); then word <c>next</c>
/// is tempered and <c>next</c> advances. So <c>left - 1</c> tempered words remain before the next twist.
/// <see cref="Fill"/> draws in bulk in exactly that order, twisting and tempering with vectors.
/// </remarks>
public sealed class Mt19937
{
    /// <summary>Words in the state (torch's <c>MERSENNE_STATE_N</c>).</summary>
    public const int StateWords = 624;

    private const int M = 397;
    private const uint MatrixA = 0x9908B0DF;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7FFFFFFF;

    private readonly uint[] _state = new uint[StateWords];
    private int _left;
    private int _next;

    /// <summary>Seeds the engine as torch's <c>mt19937(seed)</c> does (only the low 32 bits enter the state).</summary>
    public Mt19937(ulong seed) => Seed(seed);

    private Mt19937()
    {
    }

    /// <summary>The seed as torch keeps it (all 64 bits; <c>initial_seed()</c>).</summary>
    public ulong InitialSeed { get; private set; }

    /// <summary>torch's <c>seeded_</c> flag: true once seeded (a state with it false is invalid).</summary>
    public bool Seeded { get; private set; }

    /// <summary>torch's <c>left_</c>: 1 + the tempered words left before the next twist.</summary>
    public int Left => _left;

    /// <summary>torch's <c>next_</c>: the index of the next state word to temper.</summary>
    public int Next => _next;

    /// <summary>The raw (untempered) state words.</summary>
    public ReadOnlySpan<uint> State => _state;

    /// <summary>Re-seeds: <c>state[0] = seed mod 2^32</c>, <c>state[j] = 1812433253 * (s ^ (s >> 30)) + j</c>.</summary>
    public void Seed(ulong seed)
    {
        InitialSeed = seed;
        Seeded = true;
        _state[0] = (uint)seed;
        for (var j = 1; j < StateWords; j++)
        {
            var previous = _state[j - 1];
            _state[j] = unchecked((1812433253u * (previous ^ (previous >> 30))) + (uint)j);
        }

        _left = 1;
        _next = 0;
    }

    /// <summary>
    /// An engine with this exact bookkeeping. Rejects what torch rejects (<c>is_valid</c>: seeded, 1 ≤ left ≤ 624,
    /// next ≤ 624) and, beyond torch, a <paramref name="next"/> and <paramref name="left"/> that would read past the
    /// state before the next twist (torch would read out of bounds there).
    /// </summary>
    public static Mt19937 FromState(ReadOnlySpan<uint> state, ulong initialSeed, bool seeded, int left, int next)
    {
        if (state.Length != StateWords)
        {
            throw new ArgumentException($"an mt19937 state has {StateWords} words, not {state.Length}", nameof(state));
        }

        if (!seeded)
        {
            throw new ArgumentException("Invalid mt19937 state: not seeded", nameof(seeded));
        }

        if (left is < 1 or > StateWords)
        {
            throw new ArgumentOutOfRangeException(nameof(left), left, $"Invalid mt19937 state: left must be in [1, {StateWords}]");
        }

        if (next < 0 || next > StateWords || (left > 1 && next + left - 1 > StateWords))
        {
            throw new ArgumentOutOfRangeException(nameof(next), next, $"Invalid mt19937 state: next = {next} with left = {left} reads past the state");
        }

        var engine = new Mt19937 { InitialSeed = initialSeed, Seeded = true, _left = left, _next = next };
        state.CopyTo(engine._state);
        return engine;
    }

    /// <summary>A copy with the same state and bookkeeping.</summary>
    public Mt19937 Clone()
    {
        var copy = new Mt19937 { InitialSeed = InitialSeed, Seeded = Seeded, _left = _left, _next = _next };
        _state.CopyTo(copy._state, 0);
        return copy;
    }

    /// <summary>One draw (torch's <c>random()</c>).</summary>
    public uint NextUInt32()
    {
        if (--_left == 0)
        {
            Twist();
        }

        return Temper(_state[_next++]);
    }

    /// <summary>
    /// Draws <c>destination.Length</c> words in stream order, as that many <see cref="NextUInt32"/> calls would, and
    /// leaves the same bookkeeping behind.
    /// </summary>
    public void Fill(Span<uint> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_left == 1)
            {
                // The draw that finds left at 0 twists and then consumes word 0; after it left is 624 again.
                Twist();
                _left = StateWords + 1;
            }

            var take = Math.Min(_left - 1, destination.Length);
            TemperRange(_state.AsSpan(_next, take), destination[..take]);
            _left -= take;
            _next += take;
            destination = destination[take..];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Temper(uint y)
    {
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >> 18;
        return y;
    }

    private static void TemperRange(ReadOnlySpan<uint> source, Span<uint> destination)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(0x9D2C5680u);
            var c = Vector256.Create(0xEFC60000u);
            for (; i + 8 <= source.Length; i += 8)
            {
                var y = Vector256.Create(source.Slice(i, 8));
                y ^= Vector256.ShiftRightLogical(y, 11);
                y ^= Vector256.ShiftLeft(y, 7) & b;
                y ^= Vector256.ShiftLeft(y, 15) & c;
                y ^= Vector256.ShiftRightLogical(y, 18);
                y.CopyTo(destination.Slice(i, 8));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = Temper(source[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Twist(uint u, uint v) => (((u & UpperMask) | (v & LowerMask)) >> 1) ^ ((v & 1) != 0 ? MatrixA : 0u);

    /// <summary>torch's <c>next_state</c>: word j becomes <c>state[j + M] ^ twist(state[j], state[j + 1])</c> (indices mod 624).</summary>
    private void Twist()
    {
        var s = _state.AsSpan();
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Lanes only read words no lane of the same vector writes (distance 1 forward, 397 forward, 227 back).
            var upper = Vector256.Create(UpperMask);
            var lower = Vector256.Create(LowerMask);
            var one = Vector256.Create(1u);
            var matrix = Vector256.Create(MatrixA);
            for (; j + 8 <= StateWords - M; j += 8)
            {
                var x = Vector256.Create(s.Slice(j, 8));
                var y = Vector256.Create(s.Slice(j + 1, 8));
                var far = Vector256.Create(s.Slice(j + M, 8));
                var mixed = Vector256.ShiftRightLogical((x & upper) | (y & lower), 1);
                var mag = Vector256.Equals(y & one, one) & matrix;
                (far ^ mixed ^ mag).CopyTo(s.Slice(j, 8));
            }

            for (; j < StateWords - M; j++)
            {
                s[j] = s[j + M] ^ Twist(s[j], s[j + 1]);
            }

            for (; j + 8 <= StateWords - 1; j += 8)
            {
                var x = Vector256.Create(s.Slice(j, 8));
                var y = Vector256.Create(s.Slice(j + 1, 8));
                var far = Vector256.Create(s.Slice(j + M - StateWords, 8));
                var mixed = Vector256.ShiftRightLogical((x & upper) | (y & lower), 1);
                var mag = Vector256.Equals(y & one, one) & matrix;
                (far ^ mixed ^ mag).CopyTo(s.Slice(j, 8));
            }
        }

        for (; j < StateWords - M; j++)
        {
            s[j] = s[j + M] ^ Twist(s[j], s[j + 1]);
        }

        for (; j < StateWords - 1; j++)
        {
            s[j] = s[j + M - StateWords] ^ Twist(s[j], s[j + 1]);
        }

        s[StateWords - 1] = s[M - 1] ^ Twist(s[StateWords - 1], s[0]);
        _left = StateWords;
        _next = 0;
    }
}
