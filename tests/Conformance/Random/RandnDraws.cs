using System.Runtime.InteropServices;
using System.Security.Cryptography;
using CogDdim.Fixtures;
using CogDdim.Numerics;
using CogDdim.Rng;
using CogDdim.Tensors;

namespace CogDdim.Conformance.RngTests;

/// <summary>Draws from a <see cref="TorchGenerator"/> as raw little-endian bytes, by dtype name.</summary>
internal static class RandnDraws
{
    public static byte[] Randn(TorchGenerator generator, ReadOnlySpan<int> shape, DType dtype, RandnSemantics semantics) => dtype switch
    {
        DType.Float64 => Bytes(generator.RandnArray<double>(shape, semantics)),
        DType.Float32 => Bytes(generator.RandnArray<float>(shape, semantics)),
        DType.Float16 => Bytes(generator.RandnArray<Half>(shape, semantics)),
        DType.BFloat16 => Bytes(generator.RandnArray<BFloat16>(shape, semantics)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static byte[] Serial(TorchGenerator generator, int n, DType dtype, RandnSemantics semantics)
    {
        switch (dtype)
        {
            case DType.Float64: { var a = new double[n]; generator.RandnSerial<double>(a, semantics); return Bytes(a); }
            case DType.Float32: { var a = new float[n]; generator.RandnSerial<float>(a, semantics); return Bytes(a); }
            case DType.Float16: { var a = new Half[n]; generator.RandnSerial<Half>(a, semantics); return Bytes(a); }
            case DType.BFloat16: { var a = new BFloat16[n]; generator.RandnSerial<BFloat16>(a, semantics); return Bytes(a); }
            default: throw new ArgumentOutOfRangeException(nameof(dtype));
        }
    }

    public static byte[] Bytes<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static string StateSha256(TorchGenerator generator) => Convert.ToHexStringLower(SHA256.HashData(generator.GetState()));

    public static TheoryData<string, string> SetsAndDTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in RandnSets.Sets)
        {
            foreach (var dtype in DTypes.FloatingPoint)
            {
                data.Add(set, dtype.Name());
            }
        }

        return data;
    }

    public static TheoryData<string> Sets()
    {
        var data = new TheoryData<string>();
        foreach (var set in RandnSets.Sets)
        {
            data.Add(set);
        }

        return data;
    }
}

/// <summary>The committed randn files of both sets, read once (the reader is <see cref="RandnFixture"/> in the conformance assembly).</summary>
internal static class RandnSets
{
    private static readonly Dictionary<string, RandnFixture> Cache = [];

    public static string[] Sets { get; } = ["torch-2.6-cpu", "torch-1.13-cpu"];

    public static string PathOf(string set) => Path.Combine(TestFixtures.FixturesFolder, "diffusers-0.37.0", set, RandnFixture.FileName);

    public static RandnFixture Load(string set)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(set, out var fixture))
            {
                Cache[set] = fixture = RandnFixture.ReadFile(PathOf(set));
            }

            return fixture;
        }
    }
}
