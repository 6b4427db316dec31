using System.Text;
using Box.Agent.Http;

namespace Box.Agent.Status;

/// <summary>Puts the LAN status pages on a router: "/" (302 to /status),
/// "/status", "/status.json" and "/metrics". Each request takes a fresh
/// snapshot from the supervisor; none is cached, so no page shows a pairing
/// code after its window closed.</summary>
public static class StatusEndpoints
{
    public static HttpRouter MapStatusPages(this HttpRouter router, Func<StatusSnapshot> snapshot, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var clock = time ?? TimeProvider.System;

        router.Map("/", (_, response, ct) => response.RedirectAsync("/status", ct));
        router.Map("/status", (_, response, ct) =>
        {
            var html = StatusPage.Render(snapshot(), clock.GetUtcNow());
            NoStore(response);
            response.SetHeader("Content-Security-Policy", StatusPage.ContentSecurityPolicy);
            response.SetHeader("X-Frame-Options", "DENY");
            response.SetHeader("Referrer-Policy", "no-referrer");
            return response.SendAsync(200, StatusPage.ContentType, Encoding.UTF8.GetBytes(html), ct);
        });
        router.Map("/status.json", (_, response, ct) =>
        {
            var json = StatusJson.Serialize(snapshot(), clock.GetUtcNow());
            NoStore(response);
            return response.SendAsync(200, "application/json", json, ct);
        });
        router.Map("/metrics", (_, response, ct) =>
        {
            var text = StatusMetrics.Render(snapshot(), clock.GetUtcNow());
            NoStore(response);
            return response.SendAsync(200, StatusMetrics.ContentType, Encoding.UTF8.GetBytes(text), ct);
        });
        return router;
    }

    // Live figures and a one-time code: never cache, never sniff.
    private static void NoStore(HttpResponse response)
    {
        response.SetHeader("Cache-Control", "no-store");
        response.SetHeader("X-Content-Type-Options", "nosniff");
    }
}
