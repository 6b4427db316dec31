using System.Buffers.Binary;

namespace Box.Hal.Buttons;

/// <summary>Linux <c>struct input_event</c>: a timeval, then type (u16), code (u16),
/// value (s32). 24 bytes when the kernel ABI's long is 64-bit, 16 bytes on 32-bit
/// boards (the compat layer gives a 32-bit process the 16-byte form, so the
/// process's pointer size picks the layout).</summary>
public readonly record struct InputEvent(DateTimeOffset Time, ushort Type, ushort Code, int Value)
{
    public const ushort EV_SYN = 0x00;
    public const ushort EV_KEY = 0x01;
    public const ushort SYN_REPORT = 0;

    /// <summary>Record size for this process: 24 on 64-bit, 16 on 32-bit.</summary>
    public static int NativeSize => SizeOf(Environment.Is64BitProcess);

    public static int SizeOf(bool wide) => wide ? 24 : 16;

    /// <summary>Decodes one record (little-endian, as on every board we support).</summary>
    public static InputEvent Decode(ReadOnlySpan<byte> record, bool wide)
    {
        long sec, usec;
        int at;
        if (wide)
        {
            sec = BinaryPrimitives.ReadInt64LittleEndian(record);
            usec = BinaryPrimitives.ReadInt64LittleEndian(record[8..]);
            at = 16;
        }
        else
        {
            sec = BinaryPrimitives.ReadUInt32LittleEndian(record); // unsigned: good past 2038
            usec = BinaryPrimitives.ReadInt32LittleEndian(record[4..]);
            at = 8;
        }
        var time = DateTimeOffset.UnixEpoch.AddTicks(Math.Clamp(sec, 0, 253_402_300_799L - 1) * TimeSpan.TicksPerSecond
                                                      + Math.Clamp(usec, 0, 999_999) * 10);
        return new InputEvent(time,
            BinaryPrimitives.ReadUInt16LittleEndian(record[at..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[(at + 2)..]),
            BinaryPrimitives.ReadInt32LittleEndian(record[(at + 4)..]));
    }

    /// <summary>Encodes this record (used by the simulated board to "press" its button).</summary>
    public void Encode(Span<byte> record, bool wide)
    {
        long ticks = (Time - DateTimeOffset.UnixEpoch).Ticks;
        long sec = ticks / TimeSpan.TicksPerSecond;
        long usec = ticks % TimeSpan.TicksPerSecond / 10;
        int at;
        if (wide)
        {
            BinaryPrimitives.WriteInt64LittleEndian(record, sec);
            BinaryPrimitives.WriteInt64LittleEndian(record[8..], usec);
            at = 16;
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)sec);
            BinaryPrimitives.WriteInt32LittleEndian(record[4..], (int)usec);
            at = 8;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(record[at..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(record[(at + 2)..], Code);
        BinaryPrimitives.WriteInt32LittleEndian(record[(at + 4)..], Value);
    }
}

/// <summary>Key codes from linux/input-event-codes.h that the built-in profiles use.</summary>
public static class KeyCodes
{
    public const ushort KEY_POWER = 116;
    public const ushort BTN_0 = 0x100;
    public const ushort KEY_RESTART = 0x198;
    /// <summary>Highest key code the kernel defines (KEY_MAX).</summary>
    public const ushort KEY_MAX = 0x2ff;
}
