using System.Text.Json.Nodes;
using Box.Protocol.Commands;

namespace Box.Agent.Cloud.Commands;

/// <summary>Handles one command. Return the <c>result</c> object for an
/// immediate <c>ok:true,status:"done"</c> reply (null means no result), throw
/// <see cref="CommandException"/> for an error reply, or call
/// <see cref="ICommandContext.Accept"/> for a long job and return null.
/// Handlers run on the supervisor loop: they must not block; long work goes
/// into a job.</summary>
public delegate ValueTask<JsonObject?> CommandHandler(ICommandContext context);

/// <summary>One validated, unexpired, not-yet-handled command.</summary>
public interface ICommandContext
{
    string Id { get; }
    string Name { get; }
    /// <summary>The command's args (an empty object when absent).</summary>
    JsonObject Args { get; }

    /// <summary>Answers <c>status:"accepted"</c> now; the job then reports
    /// <c>job.progress</c> events and sends the final reply under the same id.</summary>
    ICommandJob Accept();
}

/// <summary>A long command after <c>accepted</c>. Thread-safe; call from any job thread.</summary>
public interface ICommandJob
{
    string Id { get; }
    /// <summary>Publishes a <c>job.progress</c> event (percent 0–100).</summary>
    void Progress(int percent, string? message = null);
    /// <summary>Final reply <c>ok:true,status:"done"</c>.</summary>
    void Done(JsonObject? result = null);
    /// <summary>Final reply <c>ok:false,status:"failed"</c> with an error code from <see cref="ErrorCodes"/>.</summary>
    void Fail(string code, string message);
}
