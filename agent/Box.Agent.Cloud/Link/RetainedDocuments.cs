namespace Box.Agent.Cloud.Link;

/// <summary>The retained <c>state</c> and <c>pairing</c> documents waiting
/// to be (re)published. State is debounced: a burst of changes is sent once,
/// a debounce period after the first; changes that arrive while one is
/// being sent wait one more period. Thread-safe.</summary>
internal sealed class RetainedDocuments(TimeProvider time, TimeSpan stateDebounce)
{
    readonly object _gate = new();
    byte[]? _statePayload;
    long _stateVersion;
    long _stateSentVersion;
    DateTimeOffset? _stateDueAt;
    byte[]? _pairingPayload;
    bool _pairingDirty;

    public void SetState(byte[] payload)
    {
        lock (_gate)
        {
            _statePayload = payload;
            _stateVersion++;
            _stateDueAt ??= time.GetUtcNow() + stateDebounce;
        }
    }

    /// <summary>An empty payload clears the retained pairing document.</summary>
    public void SetPairing(byte[] payload)
    {
        lock (_gate)
        {
            _pairingPayload = payload;
            _pairingDirty = true;
        }
    }

    /// <summary>A new connection: republish what the broker may have lost
    /// (a restart without persistence).</summary>
    public void RepublishAll()
    {
        lock (_gate)
        {
            if (_statePayload is not null)
            {
                _stateSentVersion = 0;
                _stateDueAt = time.GetUtcNow();
            }
            if (_pairingPayload is not null)
                _pairingDirty = true;
        }
    }

    public byte[]? TakePairing()
    {
        lock (_gate)
        {
            if (!_pairingDirty)
                return null;
            _pairingDirty = false;
            return _pairingPayload;
        }
    }

    /// <summary>The state to publish now, if its debounce period has passed.</summary>
    public (byte[] Payload, long Version)? TakeDueState()
    {
        lock (_gate)
        {
            if (_statePayload is null || _stateVersion == _stateSentVersion || _stateDueAt is not { } due || time.GetUtcNow() < due)
                return null;
            return (_statePayload, _stateVersion);
        }
    }

    public void StateSent(long version)
    {
        lock (_gate)
        {
            _stateSentVersion = Math.Max(_stateSentVersion, version);
            // Changes that came in meanwhile wait one more debounce period.
            _stateDueAt = _stateVersion != _stateSentVersion ? time.GetUtcNow() + stateDebounce : null;
        }
    }

    /// <summary>The earlier of <paramref name="deadline"/> and when unsent state falls due.</summary>
    public DateTimeOffset NextDue(DateTimeOffset deadline)
    {
        lock (_gate)
        {
            return _stateDueAt is { } due && due < deadline && _stateVersion != _stateSentVersion ? due : deadline;
        }
    }
}
