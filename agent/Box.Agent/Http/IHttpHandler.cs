namespace Box.Agent.Http;

/// <summary>Answers one parsed request. The handler must send exactly one
/// response through <paramref name="response"/>; if it returns without one the
/// server answers 500. Exceptions before the response started become 500,
/// after it started the connection is closed (the client sees a short body).</summary>
public interface IHttpHandler
{
    ValueTask HandleAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken);
}

/// <summary>One route's handler (see <see cref="HttpRouter"/>).</summary>
public delegate ValueTask HttpRequestHandler(HttpRequest request, HttpResponse response, CancellationToken cancellationToken);
