using System.Text.Json.Nodes;

namespace Box.Agent.Supervision;

/// <summary>The reported state (<c>box/{id}/state</c>, <c>state.get</c>) per docs/contract.md "State document":
/// paired, owner, disks[], store{usedBytes,quotaBytes,chunks}, update{state,version,percent}, configVersion.</summary>
public static class StateDocument
{
    public static JsonObject Build(AgentSnapshot s) => new()
    {
        ["paired"] = s.Paired,
        ["owner"] = s.Owner,
        ["disks"] = new JsonArray([.. s.Disks.Select(d => (JsonNode)new JsonObject
        {
            ["device"] = d.Disk.Device,
            ["fsUuid"] = d.Disk.FsUuid,
            ["fsType"] = d.Disk.FsType,
            ["label"] = d.Disk.Label,
            ["sizeBytes"] = d.Disk.SizeBytes,
            ["mounted"] = d.Disk.MountPath is not null,
            ["error"] = d.Error,
        })]),
        ["store"] = new JsonObject
        {
            ["usedBytes"] = s.Store.UsedBytes,
            ["quotaBytes"] = s.Store.QuotaBytes,
            ["chunks"] = s.Store.Chunks,
        },
        ["update"] = new JsonObject
        {
            ["state"] = s.Update.State,
            ["version"] = s.Update.Version,
            ["percent"] = s.Update.Percent,
        },
        ["configVersion"] = s.ConfigVersion,
    };
}
