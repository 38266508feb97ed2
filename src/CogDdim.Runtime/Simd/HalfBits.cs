namespace CogDdim.Simd;

/// <summary>
/// Constants of the float16/bfloat16 conversion recipes in the lane types. float → float16, ties to even:
/// <list type="bullet">
/// <item>NaN: sign | 0x7E00 | top 10 payload bits (what <c>(Half)float</c> gives);</item>
/// <item>|x| ≥ 65536: ∞ (values in [65520, 65536) reach ∞ through the normal path's rounding carry);</item>
/// <item>|x| ≥ 2^-14 (normal): rebias the exponent by 127 - 15, add 0xFFF plus the lowest kept bit, shift by 13;</item>
/// <item>|x| &lt; 2^-14: |x| + 0.5f rounds to a multiple of 2^-24 in the float adder itself, and the bits above 0.5f's
/// are the float16 subnormal (0x400, the smallest normal, when it rounds up).</item>
/// </list>
/// float16 → float: finite values are the bits shifted by 13 times 2^112 (exact, also for subnormals); ∞ and NaN keep
/// their payload with the quiet bit set, as <c>(float)Half</c> does. bfloat16 is the top half of a float: round with
/// 0x7FFF plus the lowest kept bit; a NaN keeps its top bits and gets the quiet bit.
/// </summary>
internal static class HalfBits
{
    public const uint SignMask = 0x8000;
    public const ushort MagnitudeMask = 0x7FFF;
    public const uint Infinity = 0x7C00;
    public const uint QuietNaN = 0x7E00;
    public const uint PayloadMask = 0x03FF;
    public const uint SingleMagnitudeMask = 0x7FFF_FFFF;
    public const uint SingleInfinity = 0x7F80_0000;
    public const uint SingleQuietBit = 0x0040_0000;
    public const uint BFloat16QuietBit = 0x0040;

    /// <summary>(127 - 15) &lt;&lt; 23: moves a float exponent to float16's bias.</summary>
    public const uint ExponentRebias = 0x3800_0000;

    /// <summary>2^-14, the smallest normal float16, as float bits.</summary>
    public const uint SmallestNormalAsSingle = 0x3880_0000;

    /// <summary>65536 as float bits: from here on every value is ∞ in float16.</summary>
    public const uint OverflowAsSingle = 0x4780_0000;

    /// <summary>65520 as float bits: from here on a float rounds to ∞ in float16.</summary>
    public const uint RoundsToInfinityAsSingle = 0x477F_F000;

    /// <summary>0.5f as bits.</summary>
    public const uint OneHalfBits = 0x3F00_0000;

    /// <summary>2^112 = 2^(127 - 15).</summary>
    public const float TwoPow112 = 5.192296858534828e33f;

    /// <summary>2^-112: a float16 value times this is its "scaled" form, whose float bits are the float16 bits moved up by 13.</summary>
    public const float TwoPowMinus112 = 1.925929944387236e-34f;

    /// <summary>Float bits of 2^-126, the smallest normal float: below it a scaled float16 is subnormal (and a
    /// bfloat16 too).</summary>
    public const uint SmallestNormalSingle = 0x0080_0000;

    /// <summary>Veltkamp's splitter: x * (2^13 + 1) splits a float at 11 significant bits (float16).</summary>
    public const float HalfSplitter = 8193f;

    /// <summary>float16 flags of the fast recipes (<see cref="Reduced{TL, TVec}"/>): <c>|x| - 2^-14</c> as unsigned bits
    /// stays below this exactly when 2^-14 ≤ |x| &lt; 65520.</summary>
    public const uint HalfFlagLimit = RoundsToInfinityAsSingle - SmallestNormalAsSingle;

    /// <summary>bfloat16 flags: |x| as bits stays below this exactly when |x| &lt; 2^32.</summary>
    public const uint BFloat16FlagLimit = 0x4F80_0000;
}
