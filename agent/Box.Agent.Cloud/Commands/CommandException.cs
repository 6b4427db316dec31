using Box.Protocol.Commands;

namespace Box.Agent.Cloud.Commands;

/// <summary>Thrown by a command handler to answer <c>ok:false</c> with
/// <paramref name="code"/> (one of <see cref="ErrorCodes"/>) and a message
/// naming the problem (for bad_request: the argument, e.g. "args.code: required string").</summary>
public sealed class CommandException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
