using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Protocol.Commands;

namespace Box.Agent.Cloud.Commands;

/// <summary>Limits of the dispatcher; the defaults suit a box.</summary>
public sealed record CommandDispatcherLimits
{
    /// <summary>Larger commands are refused before parsing.</summary>
    public int MaxPayloadBytes { get; init; } = 64 * 1024;
    public int MaxIdLength { get; init; } = 128;
    public int MaxJsonDepth { get; init; } = 32;
    /// <summary>How many handled ids keep their reply for repeated requests.</summary>
    public int RememberedReplies { get; init; } = 1000;
    /// <summary><c>error</c> events about unaddressable commands per minute;
    /// beyond that they are counted and the count rides on the next one.</summary>
    public int ErrorEventsPerMinute { get; init; } = 20;
}

/// <summary>Runs commands from <c>box/{id}/cmd</c> per docs/contract.md "Commands and replies": validates
/// the envelope (bad_request naming the field), refuses unknown and expired
/// commands, answers a repeated id from the stored reply without running it
/// again (persisted under <c>{dataDir}/cloud/replies.log</c>), and carries
/// long jobs from accepted through job.progress to their final reply.
/// Call <see cref="DispatchAsync"/> from the supervisor loop; handlers run
/// there too. Never throws for bad input.</summary>
public sealed class CommandDispatcher : IDisposable
{
    readonly IReplySink _sink;
    readonly TimeProvider _time;
    readonly Action<string, string>? _log;
    readonly CommandDispatcherLimits _limits;
    readonly ReplyStore _store;
    readonly Dictionary<string, CommandHandler> _handlers = new(StringComparer.Ordinal);
    readonly ErrorEventGate _errorGate;

    public CommandDispatcher(IReplySink sink, string dataDir, TimeProvider? timeProvider = null,
        Action<string, string>? log = null, CommandDispatcherLimits? limits = null)
    {
        _sink = sink;
        _time = timeProvider ?? TimeProvider.System;
        _log = log;
        _limits = limits ?? new CommandDispatcherLimits();
        _errorGate = new ErrorEventGate(_time, _limits.ErrorEventsPerMinute);
        _store = new ReplyStore(Path.Combine(dataDir, "cloud", "replies.log"), _limits.RememberedReplies, log);
        // A job that was running when the agent stopped will not finish; its
        // id must not run again either, so it gets a final failed reply.
        foreach (var id in _store.Unfinished())
        {
            _store.Save(id, isFinal: true, Replies.Error(id, ErrorCodes.Internal, "interrupted: the agent restarted before the job finished", jobFailed: true));
            _log?.Invoke("warn", $"command {id}: job interrupted by a restart; answered failed");
        }
    }

    /// <summary>Adds the handler of command <paramref name="name"/>.</summary>
    public void Register(string name, CommandHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_handlers.TryAdd(name, handler))
            throw new ArgumentException($"command '{name}' already has a handler", nameof(name));
    }

    public IReadOnlyCollection<string> Commands => _handlers.Keys;

    /// <summary>Command messages handled so far (answered, refused or accepted);
    /// readable from any thread, for metrics.</summary>
    public long Dispatched => Interlocked.Read(ref _dispatched);

    long _dispatched;

    /// <summary>Handles one command message. Returns when the immediate reply
    /// is sent (for long jobs: after <c>accepted</c>).</summary>
    public async ValueTask DispatchAsync(CloudInput.CommandArrived command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var route = new ReplyRoute(UsableResponseTopic(command.ResponseTopic), command.CorrelationData);
        try
        {
            if (Parse(command.Payload, route) is not { } request)
                return;
            if (_store.TryGet(request.Id, out var stored))
            {
                _log?.Invoke("info", $"command {request.Id}: repeated; answered from the stored {(stored.IsFinal ? "reply" : "accepted reply, job still running")}");
                _sink.SendReply(route.Topic, route.CorrelationData, stored.Reply);
                return;
            }
            if (request.Validate(_time) is { } problem)
            {
                Reply(route, Replies.Error(request.Id, problem.Code, problem.Message));
                return;
            }
            if (!_handlers.TryGetValue(request.Name!, out var handler))
            {
                Reply(route, Replies.Error(request.Id, ErrorCodes.UnknownCommand, $"unknown command '{Shorten(request.Name!)}'"));
                return;
            }
            await RunAsync(handler, request, route);
        }
        catch (Exception e)
        {
            // Only a failing disk or sink gets here; the loop must go on.
            _log?.Invoke("error", $"command dispatch failed: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Interlocked.Increment(ref _dispatched);
        }
    }

    async ValueTask RunAsync(CommandHandler handler, Request request, ReplyRoute route)
    {
        var context = new CommandContext(this, request.Id, request.Name!, request.Args!, route);
        JsonObject? result;
        try
        {
            result = await handler(context);
        }
        catch (CommandException e)
        {
            Conclude(context, e.Code, e.Message);
            return;
        }
        catch (Exception e)
        {
            _log?.Invoke("error", $"command {request.Id} ({request.Name}): handler threw {e}");
            Conclude(context, ErrorCodes.Internal, $"{request.Name} failed: {e.GetType().Name}: {e.Message}");
            return;
        }
        if (context.Job is null)
            Finish(request.Id, route, Replies.Done(request.Id, result));
        else if (result is not null)
            _log?.Invoke("warn", $"command {request.Id} ({request.Name}): handler returned a result after Accept(); the job's Done() carries the result, this one is ignored");
    }

    void Conclude(CommandContext context, string code, string message)
    {
        if (context.Job is { } job)
            job.Fail(code, message);
        else
            Finish(context.Id, context.Route, Replies.Error(context.Id, code, message));
    }

    void Finish(string id, ReplyRoute route, byte[] reply)
    {
        _store.Save(id, isFinal: true, reply);
        _sink.SendReply(route.Topic, route.CorrelationData, reply);
    }

    void Reply(ReplyRoute route, byte[] reply) => _sink.SendReply(route.Topic, route.CorrelationData, reply);

    /// <summary>Parses the envelope far enough to know whom to answer; answers
    /// itself (or publishes an error event) and returns null when it cannot go on.</summary>
    Request? Parse(ReadOnlyMemory<byte> payload, ReplyRoute route)
    {
        if (payload.Length > _limits.MaxPayloadBytes)
        {
            Refuse(route, ScanId(payload.Span), $"payload: {payload.Length} bytes is over the {_limits.MaxPayloadBytes}-byte limit");
            return null;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(payload.Span, documentOptions: new JsonDocumentOptions
            {
                MaxDepth = _limits.MaxJsonDepth,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException e)
        {
            Refuse(route, ScanId(payload.Span), $"payload: malformed JSON: {e.Message}");
            return null;
        }
        if (root is not JsonObject envelope)
        {
            Refuse(route, null, $"payload: expected a JSON object, got {Describe(root)}");
            return null;
        }
        if (!envelope.TryGetPropertyValue("id", out var idNode) || idNode is null)
        {
            Refuse(route, null, "id: required string");
            return null;
        }
        if (idNode.GetValueKind() != JsonValueKind.String)
        {
            Refuse(route, null, $"id: must be a string, got {Describe(idNode)}");
            return null;
        }
        if (!TryGetString(idNode, out var id))
        {
            Refuse(route, null, "id: not a valid UTF-16 string (lone surrogate escape)");
            return null;
        }
        if (UnusableId(id) is { } idProblem)
        {
            Refuse(route, null, idProblem);
            return null;
        }
        return new Request(id, envelope);
    }

    string? UnusableId(string id)
    {
        if (id.Length == 0)
            return "id: must not be empty";
        if (id.Length > _limits.MaxIdLength)
            return $"id: {id.Length} characters is over the {_limits.MaxIdLength}-character limit";
        if (id.Any(char.IsControl))
            return "id: must not contain control characters";
        return null;
    }

    /// <summary>Finds a top-level string "id" in a payload too large or too
    /// broken to parse, so its sender still gets an addressed reply.</summary>
    string? ScanId(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = _limits.MaxJsonDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                        return null;
                    var id = reader.GetString();
                    return id is not null && UnusableId(id) is null ? id : null;
                }
                if (reader.CurrentDepth > 1)
                    reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        return null;
    }

    /// <summary>A bad_request for a command that may have no usable id: replied
    /// when it can be addressed (an id, or a response topic with correlation
    /// data), else reported as an <c>error</c> event.</summary>
    void Refuse(ReplyRoute route, string? id, string message)
    {
        if (id is not null || route.Topic is not null)
        {
            Reply(route, Replies.Error(id, ErrorCodes.BadRequest, message));
            return;
        }
        if (_errorGate.TryPass(out var suppressed))
        {
            var fields = new JsonObject
            {
                ["code"] = ErrorCodes.BadRequest,
                ["message"] = "cmd: " + message,
            };
            if (suppressed > 0)
                fields["suppressed"] = suppressed;
            _sink.PublishEvent("error", fields);
            _log?.Invoke("warn", $"cmd without a usable id: {message}" + (suppressed > 0 ? $" ({suppressed} similar suppressed)" : ""));
        }
    }

    static string? UsableResponseTopic(string? topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Length > 1024)
            return null;
        foreach (var c in topic)
        {
            if (c is '+' or '#' or '\0')
                return null;
        }
        return topic;
    }

    internal static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>A JSON string may escape a lone surrogate ("\ud800"), which
    /// cannot become a .NET string; that is bad input, not a crash.</summary>
    static bool TryGetString(JsonNode node, out string value)
    {
        try
        {
            value = node.GetValue<string>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    public void Dispose() => _store.Dispose();

    readonly record struct ReplyRoute(string? Topic, byte[]? CorrelationData);

    readonly record struct Problem(string Code, string Message);

    /// <summary>An envelope with a usable id; the rest is checked by <see cref="Validate"/>.</summary>
    sealed class Request(string id, JsonObject envelope)
    {
        public string Id { get; } = id;
        public string? Name { get; private set; }
        public JsonObject? Args { get; private set; }

        public Problem? Validate(TimeProvider time)
        {
            if (!envelope.TryGetPropertyValue("name", out var nameNode) || nameNode is null)
                return BadRequest("name: required string");
            if (nameNode.GetValueKind() != JsonValueKind.String)
                return BadRequest($"name: must be a string, got {Describe(nameNode)}");
            if (!TryGetString(nameNode, out var name))
                return BadRequest("name: not a valid UTF-16 string (lone surrogate escape)");
            Name = name;
            if (Name.Length == 0)
                return BadRequest("name: must not be empty");
            if (!envelope.TryGetPropertyValue("args", out var argsNode) || argsNode is null)
            {
                Args = new JsonObject();
            }
            else if (argsNode is JsonObject args)
            {
                envelope.Remove("args"); // detach, so handlers may keep or re-parent it
                Args = args;
            }
            else
            {
                return BadRequest($"args: must be an object, got {Describe(argsNode)}");
            }
            if (envelope.TryGetPropertyValue("expires", out var expiresNode) && expiresNode is not null)
            {
                if (expiresNode.GetValueKind() != JsonValueKind.Number)
                    return BadRequest($"expires: must be a number (Unix seconds), got {Describe(expiresNode)}");
                var expires = expiresNode.GetValue<double>();
                var now = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
                if (expires < now)
                    return new Problem(ErrorCodes.Expired, $"command expired at {expires:0.###}, the box's clock says {now:0.###}");
            }
            return null;
        }

        static Problem BadRequest(string message) => new(ErrorCodes.BadRequest, message);
    }

    sealed class CommandContext(CommandDispatcher dispatcher, string id, string name, JsonObject args, ReplyRoute route) : ICommandContext
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public JsonObject Args { get; } = args;
        public ReplyRoute Route { get; } = route;
        public CommandJob? Job { get; private set; }

        public ICommandJob Accept()
        {
            if (Job is not null)
                return Job;
            Job = new CommandJob(dispatcher, Id, Name, Route);
            var accepted = Replies.Accepted(Id);
            dispatcher._store.Save(Id, isFinal: false, accepted);
            dispatcher.Reply(Route, accepted);
            return Job;
        }
    }

    sealed class CommandJob(CommandDispatcher dispatcher, string id, string name, ReplyRoute route) : ICommandJob
    {
        int _finished;

        public string Id { get; } = id;

        public void Progress(int percent, string? message = null)
        {
            if (Volatile.Read(ref _finished) != 0)
                return;
            var fields = new JsonObject
            {
                ["id"] = Id,
                ["name"] = name,
                ["percent"] = Math.Clamp(percent, 0, 100),
            };
            if (message is not null)
                fields["message"] = message;
            dispatcher._sink.PublishEvent("job.progress", fields);
        }

        public void Done(JsonObject? result = null) => End(Replies.Done(Id, result));

        public void Fail(string code, string message) => End(Replies.Error(Id, code, message, jobFailed: true));

        void End(byte[] reply)
        {
            if (Interlocked.Exchange(ref _finished, 1) != 0)
            {
                dispatcher._log?.Invoke("warn", $"command {Id} ({name}): job ended twice; the first ending stands");
                return;
            }
            try
            {
                dispatcher.Finish(Id, route, reply);
            }
            catch (Exception e)
            {
                dispatcher._log?.Invoke("error", $"command {Id} ({name}): final reply failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>Lets through a few error events per minute so junk on
    /// <c>cmd</c> cannot turn into a flood of events; counts the rest.</summary>
    sealed class ErrorEventGate(TimeProvider time, int perMinute)
    {
        readonly object _gate = new();
        long _windowStart = long.MinValue;
        int _passed;
        long _suppressed;

        public bool TryPass(out long suppressedBefore)
        {
            lock (_gate)
            {
                var now = time.GetTimestamp();
                if (_windowStart == long.MinValue || time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromMinutes(1))
                {
                    _windowStart = now;
                    _passed = 0;
                }
                if (_passed < perMinute)
                {
                    _passed++;
                    suppressedBefore = _suppressed;
                    _suppressed = 0;
                    return true;
                }
                _suppressed++;
                suppressedBefore = 0;
                return false;
            }
        }
    }
}
