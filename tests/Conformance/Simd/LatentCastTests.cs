using CogDdim.Numerics;

namespace CogDdim.Conformance.Simd;

/// <summary><see cref="LatentCast"/> equals the scalar casts bit for bit: every float16 and bfloat16 pattern widened,
/// and float → float16/bfloat16 on every rounding boundary, NaN payloads, ∞, subnormals and a stride through all floats,
/// on one thread and two (odd lengths, so every vector width and the scalar tail run).</summary>
public sealed class LatentCastTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Widening_matches_every_pattern(int threads)
    {
        var halves = new Half[65536 * 3 + 7];
        var bfloats = new BFloat16[halves.Length];
        for (var i = 0; i < halves.Length; i++)
        {
            halves[i] = BitConverter.UInt16BitsToHalf((ushort)(i * 40503));
            bfloats[i] = BFloat16.FromBits((ushort)(i * 40503));
        }

        var fromHalf = new float[halves.Length];
        var fromBFloat = new float[halves.Length];
        LatentCast.ToSingle(halves, fromHalf, threads);
        LatentCast.ToSingle(bfloats, fromBFloat, threads);
        for (var i = 0; i < halves.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)halves[i]), BitConverter.SingleToUInt32Bits(fromHalf[i]));
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)bfloats[i]), BitConverter.SingleToUInt32Bits(fromBFloat[i]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Narrowing_matches_the_scalar_casts(int threads)
    {
        var bits = new List<uint>();
        for (uint h = 0; h < 0x7C00; h++)
        {
            var low = BitConverter.SingleToUInt32Bits((float)BitConverter.UInt16BitsToHalf((ushort)h));
            var middle = BitConverter.SingleToUInt32Bits(((float)BitConverter.UInt16BitsToHalf((ushort)h) / 2) + ((float)BitConverter.UInt16BitsToHalf((ushort)(h + 1)) / 2));
            bits.AddRange([low, middle - 1, middle, middle + 1]);
        }

        for (uint b = 0; b < 0x7F80; b += 3)
        {
            bits.AddRange([b << 16, (b << 16) + 0x7FFF, (b << 16) + 0x8000, (b << 16) + 0x8001]);
        }

        bits.AddRange([0x7F80_0000, 0x7F80_0001, 0x7FC0_0000, 0x7FA0_2000, 0x7FFF_FFFF, 0x477F_F000, 0x477F_EFFF, 0x4780_0000, 0x0000_0001]);
        for (ulong b = 0; b <= uint.MaxValue; b += 65537)
        {
            bits.Add((uint)b);
        }

        var count = bits.Count;
        for (var i = 0; i < count; i++)
        {
            bits.Add(bits[i] ^ 0x8000_0000);
        }

        var source = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var halves = new Half[source.Length];
        var bfloats = new BFloat16[source.Length];
        LatentCast.ToHalf(source, halves, threads);
        LatentCast.ToBFloat16(source, bfloats, threads);
        for (var i = 0; i < source.Length; i++)
        {
            Assert.True(BitConverter.HalfToUInt16Bits((Half)source[i]) == BitConverter.HalfToUInt16Bits(halves[i]), $"float 0x{bits[i]:X8}: (Half) 0x{BitConverter.HalfToUInt16Bits((Half)source[i]):X4}, LatentCast 0x{BitConverter.HalfToUInt16Bits(halves[i]):X4}");
            Assert.True(((BFloat16)source[i]).ToBits() == bfloats[i].ToBits(), $"float 0x{bits[i]:X8}: (BFloat16) 0x{((BFloat16)source[i]).ToBits():X4}, LatentCast 0x{bfloats[i].ToBits():X4}");
        }
    }

    [Fact]
    public void Lengths_must_match() =>
        Assert.Throws<ArgumentException>(() => LatentCast.ToHalf(new float[3], new Half[2]));
}
