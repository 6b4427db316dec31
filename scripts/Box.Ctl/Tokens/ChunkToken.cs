using Box.Protocol.Tokens;

namespace Box.Ctl.Tokens;

/// <summary>Forwarder kept so rollout's hash check compiles unchanged while
/// boxctl's commands move to System.CommandLine; the token format itself is
/// Box.Protocol's (<see cref="ChunkTokenMinter"/>, <see cref="ChunkTokenVerifier"/>).</summary>
public static class ChunkToken
{
    public static bool IsSha256Hex(string value) => ChunkTokenFormat.IsSha256Hex(value);
}
