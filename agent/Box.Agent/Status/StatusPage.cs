using System.Globalization;
using System.Text;

namespace Box.Agent.Status;

/// <summary>/status: one self-contained HTML page an owner reads on a phone
/// (inline CSS, no scripts, no external assets; reloads itself every 5 s).
/// Every value is HTML-escaped: owner names and disk labels come from
/// outside the box.</summary>
public static class StatusPage
{
    public const string ContentType = "text/html; charset=utf-8";
    public const int RefreshSeconds = 5;

    /// <summary>Allows the inline style sheet and nothing else.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static string Render(StatusSnapshot s, DateTimeOffset now)
    {
        var h = new StringBuilder(4096);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
         .Append("<meta http-equiv=\"refresh\" content=\"").Append(RefreshSeconds).Append("\">")
         .Append("<title>Box ").Append(E(s.BoxId)).Append(" — status</title><style>").Append(Css).Append("</style></head><body><main>");

        h.Append("<header><div><h1>Box</h1><p class=\"id\">").Append(E(s.BoxId)).Append("</p></div>");
        h.Append(s.Online
            ? "<p id=\"link\" class=\"pill on\"><span class=\"dot\"></span>Online</p>"
            : "<p id=\"link\" class=\"pill off\"><span class=\"dot\"></span>Offline</p>");
        h.Append("</header>");

        if (s.PairingWindowOpen(now))
        {
            var left = s.PairingExpires!.Value - now;
            h.Append("<section id=\"pairing\" class=\"pairing\"><h2>Pairing code</h2>")
             .Append("<p class=\"code\">").Append(E(s.PairingCode)).Append("</p>")
             .Append("<p>Enter this code in the app to pair this box with your account.</p>")
             .Append("<p class=\"muted\">").Append(E(Duration(left))).Append(" left</p></section>");
        }

        if (s.LastError is not null)
            h.Append("<section id=\"error\" class=\"error\"><h2>Problem</h2><p>").Append(E(s.LastError)).Append("</p></section>");

        h.Append("<section id=\"owner\"><h2>Owner</h2>");
        if (s.Paired)
            h.Append("<p>Paired with <strong>").Append(E(s.Owner ?? "an account")).Append("</strong></p>");
        else if (s.PairingWindowOpen(now))
            h.Append("<p>Not paired yet: enter the pairing code above in the app.</p>"); // the button was already held
        else
            h.Append("<p>Not paired. Hold the reset button for 3 seconds to show a pairing code here.</p>");
        h.Append("</section>");

        h.Append("<section id=\"storage\"><h2>Storage</h2>");
        if (s.Disks.Count == 0)
            h.Append("<p class=\"warn\">No disk. Plug a USB disk into the box.</p>");
        foreach (var d in s.Disks)
        {
            h.Append("<div class=\"disk\"><p><strong>").Append(E(d.Label is { Length: > 0 } ? d.Label : d.Device)).Append("</strong> <span class=\"muted\">")
             .Append(E(d.Device)).Append(" · ").Append(E(d.FsType ?? "unknown filesystem")).Append(" · ").Append(E(Bytes(d.SizeBytes))).Append("</span></p>")
             .Append("<p class=\"muted small\">").Append(d.MountPath is null ? "not mounted" : "mounted at " + E(d.MountPath)).Append("</p></div>");
        }
        if (s.Store is { } store)
        {
            double percent = store.QuotaBytes > 0 ? Math.Clamp(100.0 * store.UsedBytes / store.QuotaBytes, 0, 100) : 0;
            h.Append("<p class=\"usage\">").Append(E(Bytes(store.UsedBytes))).Append(" used of ")
             .Append(store.QuotaBytes > 0 ? E(Bytes(store.QuotaBytes)) : "no quota").Append(" · ")
             .Append(store.Chunks.ToString("N0", CultureInfo.InvariantCulture)).Append(store.Chunks == 1 ? " chunk" : " chunks").Append("</p>")
             .Append("<div class=\"bar\"><span style=\"width:").Append(percent.ToString("0.#", CultureInfo.InvariantCulture)).Append("%\"></span></div>");
        }
        else if (s.Disks.Count > 0)
        {
            h.Append("<p class=\"warn\">The chunk store is not available.</p>");
        }
        h.Append("</section>");

        h.Append("<section id=\"traffic\"><h2>Serving</h2><dl>")
         .Append(Row("Now", Bytes(s.Traffic.BytesPerSecond) + "/s"))
         .Append(Row("Limit", s.Traffic.RateLimitBytesPerSecond > 0 ? Bytes(s.Traffic.RateLimitBytesPerSecond) + "/s" : "none"))
         .Append(Row("Today", Bytes(s.Traffic.BytesToday)))
         .Append(Row("Served", Bytes(s.Traffic.BytesServed)))
         .Append(Row("Requests", s.Traffic.Requests.ToString("N0", CultureInfo.InvariantCulture)))
         .Append(Row("Connections now", s.Traffic.ActiveConnections.ToString(CultureInfo.InvariantCulture)))
         .Append("</dl></section>");

        if (s.Update.State != "idle" || s.Update.Version is not null)
        {
            h.Append("<section id=\"update\"><h2>Firmware update</h2><p>")
             .Append(E(s.Update.Version is null ? s.Update.State : $"{s.Update.State} {s.Update.Version} · {s.Update.Percent}%")).Append("</p>")
             .Append("<div class=\"bar\"><span style=\"width:").Append(Math.Clamp(s.Update.Percent, 0, 100)).Append("%\"></span></div></section>");
        }

        h.Append("<section id=\"system\"><h2>System</h2><dl>")
         .Append(Row("Firmware", $"{s.FirmwareVersion} (slot {s.Slot.ToUpperInvariant()})"))
         .Append(Row("Uptime", Duration(s.Uptime)));
        h.Append(Row("Configuration", s.ConfigVersion == 0 ? "defaults" : "version " + s.ConfigVersion.ToString(CultureInfo.InvariantCulture)));
        foreach (var (name, pattern) in s.Leds.OrderBy(l => l.Key, StringComparer.Ordinal))
            h.Append(Row("LED " + name, pattern));
        h.Append("</dl></section>");

        h.Append("<footer>Refreshes every ").Append(RefreshSeconds).Append(" s · <a href=\"/status.json\">JSON</a> · <a href=\"/metrics\">metrics</a></footer>");
        h.Append("</main></body></html>\n");
        return h.ToString();
    }

    private static string Row(string term, string value) => $"<div><dt>{E(term)}</dt><dd>{E(value)}</dd></div>";

    /// <summary>Escapes the five characters that matter in text and quoted
    /// attributes; everything else stays readable UTF-8.</summary>
    internal static string E(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.AsSpan().IndexOfAny("&<>\"'") < 0)
            return value ?? "";
        var escaped = new StringBuilder(value.Length + 16);
        foreach (char c in value)
        {
            _ = c switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '"' => escaped.Append("&quot;"),
                '\'' => escaped.Append("&#39;"),
                _ => escaped.Append(c),
            };
        }
        return escaped.ToString();
    }

    /// <summary>Decimal units, as disks are sold.</summary>
    internal static string Bytes(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0
            ? $"{bytes.ToString(CultureInfo.InvariantCulture)} B"
            : $"{value.ToString(value < 10 ? "0.##" : value < 100 ? "0.#" : "0", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    internal static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = TimeSpan.Zero;
        if (span.TotalDays >= 1)
            return $"{(int)span.TotalDays} d {span.Hours} h";
        if (span.TotalHours >= 1)
            return $"{span.Hours} h {span.Minutes} min";
        if (span.TotalMinutes >= 1)
            return $"{span.Minutes} min {span.Seconds} s";
        return $"{span.Seconds} s";
    }

    private const string Css = """
        :root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--text:#111827;--muted:#6b7280;--line:#e5e7eb;--accent:#2563eb;--ok:#15803d;--bad:#b91c1c}
        @media (prefers-color-scheme:dark){:root{--bg:#0b1120;--card:#111827;--text:#e5e7eb;--muted:#9ca3af;--line:#1f2937;--accent:#60a5fa;--ok:#4ade80;--bad:#f87171}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--text);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        main{max-width:34rem;margin:0 auto;padding:1rem}
        header{display:flex;justify-content:space-between;align-items:center;margin:.25rem 0 1rem}
        h1{font-size:1.6rem;margin:0;letter-spacing:-.02em}
        .id{margin:0;color:var(--muted);font:.85rem ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
        .pill{margin:0;padding:.3rem .8rem;border-radius:999px;font-weight:600;font-size:.9rem;display:flex;align-items:center;gap:.45rem;background:var(--card);border:1px solid var(--line)}
        .dot{width:.6rem;height:.6rem;border-radius:50%;display:inline-block}
        .on{color:var(--ok)}.on .dot{background:var(--ok)}
        .off{color:var(--bad)}.off .dot{background:var(--bad)}
        section{background:var(--card);border:1px solid var(--line);border-radius:.9rem;padding:.9rem 1rem;margin:0 0 .8rem}
        h2{font-size:.75rem;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:0 0 .5rem}
        p{margin:.2rem 0}
        .pairing{border:2px solid var(--accent);text-align:center}
        .code{font:700 3.2rem/1.1 ui-monospace,SFMono-Regular,Menlo,monospace;letter-spacing:.18em;color:var(--accent);margin:.4rem 0 .6rem;padding-left:.18em}
        .error{border-color:var(--bad);color:var(--bad)}
        .warn{color:var(--bad)}
        .muted{color:var(--muted)}.small{font-size:.85rem}
        .disk{padding:.35rem 0;border-bottom:1px solid var(--line)}.disk:last-of-type{border-bottom:0}
        .usage{margin-top:.6rem}
        .bar{height:.55rem;background:var(--line);border-radius:999px;overflow:hidden;margin:.35rem 0 .1rem}
        .bar span{display:block;height:100%;background:var(--accent);border-radius:999px}
        dl{margin:0}
        dl div{display:flex;justify-content:space-between;gap:1rem;padding:.3rem 0;border-bottom:1px solid var(--line)}
        dl div:last-child{border-bottom:0}
        dt{color:var(--muted)}dd{margin:0;text-align:right;font-weight:500;word-break:break-word}
        footer{text-align:center;color:var(--muted);font-size:.8rem;margin:1rem 0}
        a{color:var(--accent)}
        """;
}
