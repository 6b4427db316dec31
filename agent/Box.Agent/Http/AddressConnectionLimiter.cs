using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Box.Agent.Http;

/// <summary>A client "address" for connection limits: an IPv4 address (also
/// when it arrives IPv4-mapped on a dual-mode socket) or an IPv6 /64. One
/// IPv6 host usually owns a whole /64, so counting single IPv6 addresses
/// would not limit it at all.</summary>
internal readonly record struct ClientAddressKey(ulong High, ulong Low)
{
    public static ClientAddressKey Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            // The ::ffff:a.b.c.d form: never equal to an IPv6 /64 key (Low 0).
            return new(0, 0xFFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }
        address.TryWriteBytes(bytes, out _);
        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), 0);
    }
}

/// <summary>Open connections per client address, so that one address cannot
/// take the server's whole connection budget (a flood of idle or trickling
/// connections from one place). A short lock around a small dictionary: it is
/// touched twice per connection, never per request.</summary>
internal sealed class AddressConnectionLimiter
{
    private readonly Dictionary<ClientAddressKey, int> _open = [];
    private readonly Lock _lock = new();

    /// <summary>Takes a slot for <paramref name="key"/>; false (nothing taken)
    /// when <paramref name="max"/> are already open from there.</summary>
    public bool TryAcquire(ClientAddressKey key, int max)
    {
        lock (_lock)
        {
            _open.TryGetValue(key, out int open);
            if (open >= max)
                return false;
            _open[key] = open + 1;
            return true;
        }
    }

    public void Release(ClientAddressKey key)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out int open))
                return;
            if (open <= 1)
                _open.Remove(key);
            else
                _open[key] = open - 1;
        }
    }

    /// <summary>Open connections from <paramref name="key"/>.</summary>
    public int OpenFrom(ClientAddressKey key)
    {
        lock (_lock)
            return _open.GetValueOrDefault(key);
    }
}
