using System.Text;
using System.Text.Json.Nodes;
using Box.Ctl.Mqtt;
using Box.Ctl.Rollout;

namespace Box.Ctl.Tests.Rollout;

public sealed class BoxUpdateTests
{
    static JsonObject Online(string fw, long bootedAt = 100) => new() { ["online"] = true, ["fw"] = fw, ["slot"] = "a", ["bootedAt"] = bootedAt };
    static JsonObject Offline() => new() { ["online"] = false };
    static CommandReply Reply(string json) => CommandReply.TryParse(Encoding.UTF8.GetBytes(json))!;

    static BoxUpdate Started(string fw = "1.0.0")
    {
        var box = new BoxUpdate("b1", "c1", "2.0.0");
        Assert.True(box.Begin(Online(fw)));
        return box;
    }

    [Fact]
    public void Done_then_back_online_with_the_new_fw_is_updated()
    {
        var box = Started();
        box.OnReply(Reply("""{"id":"c1","ok":true,"status":"accepted"}"""));
        box.OnEvent(new JsonObject { ["type"] = "job.progress", ["id"] = "c1", ["percent"] = 40 });
        Assert.Equal(40, box.Percent);
        box.OnReply(Reply("""{"id":"c1","ok":true,"status":"done"}"""));
        Assert.Null(box.Outcome);
        box.OnStatus(Offline());
        box.OnStatus(Online("2.0.0", 200));

        Assert.Equal(BoxResult.Updated, box.Outcome!.Result);
    }

    [Fact]
    public void New_fw_seen_before_the_final_reply_waits_for_the_reply()
    {
        var box = Started();
        box.OnStatus(Offline());
        box.OnStatus(Online("2.0.0", 200));
        Assert.Null(box.Outcome);

        box.OnReply(Reply("""{"id":"c1","ok":true,"status":"done"}"""));
        Assert.Equal(BoxResult.Updated, box.Outcome!.Result);
    }

    [Fact]
    public void Coming_back_with_the_old_fw_after_a_reboot_is_rolled_back()
    {
        var box = Started();
        box.OnReply(Reply("""{"id":"c1","ok":true,"status":"done"}"""));
        box.OnStatus(Online("1.0.0", 100)); // the retained status repeated: no reboot yet
        Assert.Null(box.Outcome);
        box.OnStatus(Online("1.0.0", 300)); // booted again, old fw

        Assert.Equal(BoxResult.RolledBack, box.Outcome!.Result);
        Assert.Contains("1.0.0", box.Outcome.Detail);
    }

    [Fact]
    public void Rolledback_event_and_error_reply_fail_the_box()
    {
        var a = Started();
        a.OnEvent(new JsonObject { ["type"] = "update.rolledback", ["version"] = "2.0.0" });
        Assert.Equal(BoxResult.RolledBack, a.Outcome!.Result);

        var b = Started();
        b.OnReply(Reply("""{"id":"c1","ok":false,"error":{"code":"verify_failed","message":"bad block 3"}}"""));
        Assert.Equal(BoxResult.Failed, b.Outcome!.Result);
        Assert.Equal("verify_failed: bad block 3", b.Outcome.Detail);
    }

    [Fact]
    public void Replies_for_other_commands_are_ignored()
    {
        var box = Started();
        box.OnReply(Reply("""{"id":"other","ok":false,"error":{"code":"busy"}}"""));
        Assert.Null(box.Outcome);
    }

    [Fact]
    public void Offline_or_current_boxes_are_not_sent_anything()
    {
        var offline = new BoxUpdate("b1", "c1", "2.0.0");
        Assert.False(offline.Begin(Offline()));
        Assert.Equal(BoxResult.Skipped, offline.Outcome!.Result);

        var unknown = new BoxUpdate("b1", "c1", "2.0.0");
        Assert.False(unknown.Begin(null));
        Assert.Equal(BoxResult.Skipped, unknown.Outcome!.Result);

        var current = new BoxUpdate("b1", "c1", "2.0.0");
        Assert.False(current.Begin(Online("2.0.0")));
        Assert.Equal(BoxResult.AlreadyCurrent, current.Outcome!.Result);
    }

    [Fact]
    public void Timeout_names_the_stage_it_stopped_at()
    {
        var silent = Started();
        Assert.Contains("no reply", silent.TimeOut(TimeSpan.FromSeconds(5)).Detail);

        var accepted = Started();
        accepted.OnReply(Reply("""{"id":"c1","ok":true,"status":"accepted"}"""));
        Assert.Contains("accepted", accepted.TimeOut(TimeSpan.FromSeconds(5)).Detail);

        var done = Started();
        done.OnReply(Reply("""{"id":"c1","ok":true,"status":"done"}"""));
        var outcome = done.TimeOut(TimeSpan.FromSeconds(5));
        Assert.Equal(BoxResult.TimedOut, outcome.Result);
        Assert.Contains("not back online with 2.0.0", outcome.Detail);
    }
}
