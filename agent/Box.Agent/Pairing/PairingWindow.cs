using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Box.Agent.Pairing;

public enum PairingResult
{
    /// <summary>Right code: the window is closed, the caller binds the owner.</summary>
    Paired,
    /// <summary>Wrong code; the window stays open with fewer tries left.</summary>
    WrongCode,
    /// <summary>Wrong code and no tries left: the window is closed.</summary>
    LockedOut,
    /// <summary>No window is open (never opened, closed, or just expired).</summary>
    NotOpen,
}

/// <summary>The window in which the cloud may bind an owner: a 6-digit one-time
/// code shown on the LAN status page, only its SHA-256 announced to the cloud.
/// Codes are compared as SHA-256 hashes with a constant-time compare, and
/// <see cref="MaxWrongTries"/> wrong codes close the window. Owned by the supervisor loop.</summary>
public sealed class PairingWindow(TimeProvider time)
{
    public const int MaxWrongTries = 5;
    public const int CodeDigits = 6;

    private byte[]? _codeHash;

    /// <summary>The plain code while open (for the LAN status page only; never sent to the cloud).</summary>
    public string? Code { get; private set; }

    /// <summary>Hex SHA-256 of the code while open (what the cloud gets).</summary>
    public string? CodeSha256 => _codeHash is null ? null : Convert.ToHexStringLower(_codeHash);

    public DateTimeOffset? ExpiresAt { get; private set; }

    public int WrongTries { get; private set; }

    public int TriesLeft => MaxWrongTries - WrongTries;

    /// <summary>Open and not past its expiry (an expired window counts as closed
    /// even before <see cref="ExpireIfDue"/> runs).</summary>
    public bool IsOpen => _codeHash is not null && time.GetUtcNow() < ExpiresAt;

    /// <summary>Opens (or re-opens with a fresh code) for <paramref name="length"/>.</summary>
    public void Open(TimeSpan length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        Code = code;
        _codeHash = Hash(code);
        ExpiresAt = time.GetUtcNow() + length;
        WrongTries = 0;
    }

    /// <summary>Checks <paramref name="code"/> against the open window.</summary>
    public PairingResult Confirm(string code)
    {
        if (!IsOpen) return PairingResult.NotOpen;
        // Hash first so the compare is over equal-length values and takes the same
        // time whatever the input; FixedTimeEquals does not stop at the first difference.
        var matches = CryptographicOperations.FixedTimeEquals(Hash(code), _codeHash);
        if (matches)
        {
            Close();
            return PairingResult.Paired;
        }
        WrongTries++;
        if (WrongTries < MaxWrongTries) return PairingResult.WrongCode;
        Close();
        return PairingResult.LockedOut;
    }

    /// <summary>Closes the window if its time is up; true when it did.</summary>
    public bool ExpireIfDue()
    {
        if (_codeHash is null || time.GetUtcNow() < ExpiresAt) return false;
        Close();
        return true;
    }

    public void Close()
    {
        if (_codeHash is not null) CryptographicOperations.ZeroMemory(_codeHash);
        _codeHash = null;
        Code = null;
        ExpiresAt = null;
        WrongTries = 0;
    }

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));
}
