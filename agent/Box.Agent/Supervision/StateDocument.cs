using System.Text.Json.Nodes;

namespace Box.Agent.Supervision;

/// <summary>The reported state (<c>box/{id}/state</c>, <c>state.get</c>) per docs/contract.md "State document":
/// paired, owner, disks[], store{usedBytes,quotaBytes,chunks,disks[]}, update{state,version,percent}, configVersion.</summary>
public static class StateDocument
{
    /// <summary>The per-disk store figures (state document and <c>store.stats</c>).</summary>
    public static JsonArray StoreDisks(IEnumerable<StoreDiskFigures> disks) => new([.. disks.Select(d => (JsonNode)new JsonObject
    {
        ["device"] = d.Device,
        ["storeId"] = d.StoreId,
        ["usedBytes"] = d.UsedBytes,
        ["quotaBytes"] = d.QuotaBytes,
        ["chunks"] = d.Chunks,
        ["reconcile"] = d.Reconcile,
        ["available"] = d.Available,
    })]);

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
            ["disks"] = StoreDisks(s.StoreDisks),
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
