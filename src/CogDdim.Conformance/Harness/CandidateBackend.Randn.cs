using CogDdim.Backends;
using CogDdim.Conformance;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>The randn side of a candidate port (the <c>randn</c> call).</summary>
public sealed partial class CandidateBackend : IRandnBackend
{
    /// <inheritdoc/>
    public RandnReply Randn(RandnCallSpec call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Require(CandidateRandnProtocol.Randn);
        var handshake = Client.Handshake!;
        foreach (var draw in call.Draws)
        {
            if (!handshake.Supports(draw.DType))
            {
                throw new CaseSkippedException($"the candidate does not support {draw.DType.Name()} (its hello lists {string.Join(", ", handshake.DTypes)})");
            }
        }

        var withStates = handshake.Supports(CandidateRandnProtocol.RandnState);
        using var reply = Client.Call(CandidateRandnProtocol.Randn, id => CandidateRandnProtocol.Request(id, call));
        if (reply.Result is { } result)
        {
            try
            {
                return CandidateRandnProtocol.ReadResult(result, call, withStates);
            }
            catch (FormatException e)
            {
                // A malformed result breaks the protocol like a malformed line: the port is killed and started again.
                var failure = new CandidateFailureException(CandidateVerdicts.ProtocolError, $"candidate's reply to {CandidateRandnProtocol.Randn}: {e.Message}");
                Client.Broke(failure, CandidateRandnProtocol.Randn);
                throw failure;
            }
        }

        throw PortErrors.ToException(reply.ErrorType!, reply.ErrorMessage ?? string.Empty);
    }
}
