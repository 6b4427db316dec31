namespace Box.Agent.Usage;

/// <summary>The ledger's persisted state cannot be read (outside damage: it is
/// only ever replaced atomically). Nothing was changed on disk; see
/// <see cref="UsageLedger.SetAsideDamagedState"/> for continuing.</summary>
public sealed class UsageLedgerException(string message, Exception? inner = null) : IOException(message, inner);
