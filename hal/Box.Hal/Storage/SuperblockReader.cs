using System.Buffers.Binary;
using System.Text;

namespace Box.Hal.Storage;

public enum ProbeStatus { Recognized, Unknown, Corrupt }

/// <summary>What <see cref="SuperblockReader"/> found. <see cref="Problem"/> is a one-line
/// description for Unknown ("unknown filesystem") and Corrupt ("corrupt superblock: …").</summary>
public sealed record FilesystemProbe(ProbeStatus Status, string? FsType = null, string? Uuid = null, string? Label = null, string? Problem = null)
{
    public static FilesystemProbe Unknown() => new(ProbeStatus.Unknown, Problem: "unknown filesystem");
    public static FilesystemProbe Corrupt(string fsType, string why) => new(ProbeStatus.Corrupt, FsType: fsType, Problem: $"corrupt {fsType} superblock: {why}");
}

/// <summary>Identifies ext2/3/4, FAT12/16/32, exFAT and NTFS from their superblocks and
/// reads UUID (as blkid prints it) and label. Never throws on garbage: anything it
/// cannot make sense of is Unknown or Corrupt.</summary>
public static class SuperblockReader
{
    /// <summary>Enough for the ext superblock (1024..2048) and FAT/exFAT boot sectors.</summary>
    private const int HeadSize = 4096;
    private const int MaxExfatClusterRead = 64 * 1024;

    /// <summary>Probes a device or image file. I/O errors are returned as Unknown with the message.</summary>
    public static FilesystemProbe Probe(string path)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            return Probe(f);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FilesystemProbe(ProbeStatus.Unknown, Problem: $"cannot read {path}: {e.Message}");
        }
    }

    public static FilesystemProbe Probe(Stream device)
    {
        var head = new byte[HeadSize];
        int n = ReadAt(device, 0, head);
        var span = head.AsSpan(0, n);
        return ProbeExt(span)
               ?? ProbeExfat(span, device)
               ?? ProbeNtfs(span, device)
               ?? ProbeFat(span)
               ?? FilesystemProbe.Unknown();
    }

    // ---- ext2/3/4 --------------------------------------------------------

    private const int ExtSb = 1024;

    private static FilesystemProbe? ProbeExt(ReadOnlySpan<byte> d)
    {
        if (d.Length < ExtSb + 256 || U16(d, ExtSb + 56) != 0xEF53)
            return null;
        uint inodes = U32(d, ExtSb + 0);
        uint blocks = U32(d, ExtSb + 4);
        uint logBlockSize = U32(d, ExtSb + 24);
        uint blocksPerGroup = U32(d, ExtSb + 32);
        uint compat = U32(d, ExtSb + 92);
        uint incompat = U32(d, ExtSb + 96);
        uint roCompat = U32(d, ExtSb + 100);
        // blkid's rule: features beyond ext3's set make it ext4; a journal makes it ext3.
        const uint Ext3Incompat = 0x0002 | 0x0004 | 0x0010;     // FILETYPE | RECOVER | META_BG
        const uint Ext3RoCompat = 0x0001 | 0x0002 | 0x0004;     // SPARSE_SUPER | LARGE_FILE | BTREE_DIR
        string type = (incompat & ~Ext3Incompat) != 0 || (roCompat & ~Ext3RoCompat) != 0 ? "ext4"
                    : (compat & 0x0004) != 0 ? "ext3" : "ext2";
        if (logBlockSize > 6)
            return FilesystemProbe.Corrupt(type, $"block size 2^{10 + logBlockSize} out of range");
        if (inodes == 0 || blocks == 0 || blocksPerGroup == 0)
            return FilesystemProbe.Corrupt(type, "zero inode/block counts");
        var uuid = d.Slice(ExtSb + 104, 16);
        return new FilesystemProbe(ProbeStatus.Recognized, type,
            uuid.ContainsAnyExcept((byte)0) ? FormatUuid(uuid) : null,
            Text(d.Slice(ExtSb + 120, 16)));
    }

    // ---- FAT12/16/32 -----------------------------------------------------

    private static FilesystemProbe? ProbeFat(ReadOnlySpan<byte> d)
    {
        if (d.Length < 512)
            return null;
        bool fat32Tag = d.Slice(0x52, 5).SequenceEqual("FAT32"u8);
        bool fat1xTag = d.Slice(0x36, 5).SequenceEqual("FAT12"u8) || d.Slice(0x36, 5).SequenceEqual("FAT16"u8) || d.Slice(0x36, 3).SequenceEqual("FAT"u8);
        bool jump = d[0] == 0xEB || d[0] == 0xE9;
        if (!fat32Tag && !fat1xTag && !(jump && LooksLikeBpb(d)))
            return null; // an MBR or nothing at all
        ushort bytesPerSector = U16(d, 0x0B);
        byte sectorsPerCluster = d[0x0D];
        ushort reserved = U16(d, 0x0E);
        byte fats = d[0x10];
        ushort sectorsPerFat16 = U16(d, 0x16);
        if (!LooksLikeBpb(d))
            return FilesystemProbe.Corrupt("vfat", $"bad BPB (bytes/sector {bytesPerSector}, sectors/cluster {sectorsPerCluster}, reserved {reserved}, FATs {fats})");
        if (d[510] != 0x55 || d[511] != 0xAA)
            return FilesystemProbe.Corrupt("vfat", "missing boot signature 55AA");
        // FAT32 has no 16-bit FAT size and keeps its extended BPB further on.
        bool fat32 = sectorsPerFat16 == 0;
        int ext = fat32 ? 0x40 : 0x24;
        bool hasSerial = d[ext + 2] is 0x29 or 0x28;
        string? uuid = null, label = null;
        if (hasSerial)
        {
            uint serial = U32(d, ext + 3);
            uuid = $"{serial >> 16:X4}-{serial & 0xFFFF:X4}";
            if (d[ext + 2] == 0x29)
                label = Text(d.Slice(ext + 7, 11));
        }
        if (label is "NO NAME")
            label = null;
        return new FilesystemProbe(ProbeStatus.Recognized, "vfat", uuid, label);
    }

    private static bool LooksLikeBpb(ReadOnlySpan<byte> d)
    {
        ushort bps = U16(d, 0x0B);
        byte spc = d[0x0D];
        return bps is 512 or 1024 or 2048 or 4096
               && spc != 0 && (spc & (spc - 1)) == 0
               && U16(d, 0x0E) != 0
               && d[0x10] is 1 or 2;
    }

    // ---- exFAT -----------------------------------------------------------

    private static FilesystemProbe? ProbeExfat(ReadOnlySpan<byte> d, Stream device)
    {
        if (d.Length < 512 || !d.Slice(3, 8).SequenceEqual("EXFAT   "u8))
            return null;
        byte bpsShift = d[108];
        byte spcShift = d[109];
        byte fats = d[110];
        if (bpsShift is < 9 or > 12 || spcShift > 25 - bpsShift || fats is not (1 or 2))
            return FilesystemProbe.Corrupt("exfat", $"bad geometry (sector shift {bpsShift}, cluster shift {spcShift}, FATs {fats})");
        if (d[510] != 0x55 || d[511] != 0xAA)
            return FilesystemProbe.Corrupt("exfat", "missing boot signature 55AA");
        uint serial = U32(d, 100);
        string uuid = $"{serial >> 16:X4}-{serial & 0xFFFF:X4}";
        return new FilesystemProbe(ProbeStatus.Recognized, "exfat", uuid, ExfatLabel(d, device, bpsShift, spcShift));
    }

    /// <summary>The volume label lives in the root directory (entry type 0x83); one read of its first cluster.</summary>
    private static string? ExfatLabel(ReadOnlySpan<byte> d, Stream device, int bpsShift, int spcShift)
    {
        uint heapOffset = U32(d, 88);
        uint rootCluster = U32(d, 96);
        if (rootCluster < 2)
            return null;
        long offset = ((long)heapOffset + ((long)(rootCluster - 2) << spcShift)) << bpsShift;
        var cluster = new byte[Math.Min(1 << (bpsShift + spcShift), MaxExfatClusterRead)];
        int n;
        try { n = ReadAt(device, offset, cluster); }
        catch (IOException) { return null; }
        for (int i = 0; i + 32 <= n; i += 32)
        {
            byte type = cluster[i];
            if (type == 0x00)
                break; // end of directory
            if (type == 0x83)
            {
                int chars = Math.Min((int)cluster[i + 1], 11);
                return Encoding.Unicode.GetString(cluster, i + 2, chars * 2);
            }
        }
        return null;
    }

    // ---- NTFS ------------------------------------------------------------

    private const int NtfsVolumeRecord = 3;       // $Volume in the MFT
    private const uint NtfsVolumeNameAttribute = 0x60;
    private const uint NtfsEndOfAttributes = 0xFFFFFFFF;

    /// <summary>NTFS, the format most owners' disks come in: blkid's UUID is the
    /// 64-bit volume serial in hex; the label is the $VOLUME_NAME attribute of
    /// MFT record 3.</summary>
    private static FilesystemProbe? ProbeNtfs(ReadOnlySpan<byte> d, Stream device)
    {
        if (d.Length < 512 || !d.Slice(3, 8).SequenceEqual("NTFS    "u8))
            return null;
        ushort bytesPerSector = U16(d, 0x0B);
        byte sectorsPerCluster = d[0x0D];
        if (bytesPerSector is not (512 or 1024 or 2048 or 4096) || sectorsPerCluster == 0)
            return FilesystemProbe.Corrupt("ntfs", $"bad geometry (bytes/sector {bytesPerSector}, sectors/cluster {sectorsPerCluster})");
        if (d[510] != 0x55 || d[511] != 0xAA)
            return FilesystemProbe.Corrupt("ntfs", "missing boot signature 55AA");
        // Above 128 the byte is a negative shift: clusters of 2^n sectors.
        long clusterBytes = sectorsPerCluster <= 128 ? (long)sectorsPerCluster * bytesPerSector : (long)bytesPerSector << (256 - sectorsPerCluster);
        sbyte recordClusters = (sbyte)d[0x40];
        long recordBytes = recordClusters > 0 ? recordClusters * clusterBytes : 1L << -recordClusters;
        ulong mftCluster = BinaryPrimitives.ReadUInt64LittleEndian(d[0x30..]);
        if (recordBytes is < 256 or > 65536 || mftCluster == 0 || mftCluster > long.MaxValue / (ulong)clusterBytes / 2)
            return FilesystemProbe.Corrupt("ntfs", $"bad MFT location (cluster {mftCluster}, record size {recordBytes})");
        string uuid = BinaryPrimitives.ReadUInt64LittleEndian(d[0x48..]).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        long recordAt = (long)mftCluster * clusterBytes + NtfsVolumeRecord * recordBytes;
        return new FilesystemProbe(ProbeStatus.Recognized, "ntfs", uuid, NtfsLabel(device, recordAt, (int)recordBytes, bytesPerSector));
    }

    /// <summary>Reads $Volume's record, undoes the update-sequence fixups, and
    /// walks its attributes to the resident $VOLUME_NAME (UTF-16). Null on
    /// anything unexpected: a label is a nicety, not a reason to refuse a disk.</summary>
    private static string? NtfsLabel(Stream device, long recordAt, int recordBytes, int sectorBytes)
    {
        var record = new byte[recordBytes];
        try
        {
            if (ReadAt(device, recordAt, record) < recordBytes)
                return null;
        }
        catch (IOException)
        {
            return null;
        }
        var r = record.AsSpan();
        if (!r[..4].SequenceEqual("FILE"u8))
            return null;
        int usaOffset = U16(r, 4), usaCount = U16(r, 6);
        if (usaCount == 0 || usaOffset + usaCount * 2 > recordBytes || (usaCount - 1) * sectorBytes > recordBytes)
            return null;
        for (int i = 1; i < usaCount; i++)
        {
            int end = i * sectorBytes - 2;
            if (U16(r, end) != U16(r, usaOffset))
                return null; // torn record
            r[end] = r[usaOffset + 2 * i];
            r[end + 1] = r[usaOffset + 2 * i + 1];
        }
        int at = U16(r, 0x14);
        while (at >= 0x18 && at + 16 <= recordBytes)
        {
            uint type = U32(r, at);
            int length = (int)Math.Min(U32(r, at + 4), int.MaxValue);
            if (type == NtfsEndOfAttributes || length < 16 || at + length > recordBytes)
                return null;
            if (type == NtfsVolumeNameAttribute && r[at + 8] == 0) // resident
            {
                int valueLength = (int)U32(r, at + 16);
                int valueOffset = U16(r, at + 20);
                if (valueLength == 0 || valueOffset + valueLength > length || valueLength % 2 != 0)
                    return null;
                var label = Encoding.Unicode.GetString(r.Slice(at + valueOffset, valueLength));
                return label.Any(char.IsControl) ? null : label;
            }
            at += length;
        }
        return null;
    }

    // ---- helpers ---------------------------------------------------------

    private static int ReadAt(Stream s, long offset, byte[] buffer)
    {
        if (s.CanSeek)
        {
            if (offset >= s.Length)
                return 0;
            s.Position = offset;
        }
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer, total, buffer.Length - total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static ushort U16(ReadOnlySpan<byte> d, int at) => BinaryPrimitives.ReadUInt16LittleEndian(d[at..]);
    private static uint U32(ReadOnlySpan<byte> d, int at) => BinaryPrimitives.ReadUInt32LittleEndian(d[at..]);

    private static string FormatUuid(ReadOnlySpan<byte> b) =>
        $"{Convert.ToHexStringLower(b[..4])}-{Convert.ToHexStringLower(b[4..6])}-{Convert.ToHexStringLower(b[6..8])}-{Convert.ToHexStringLower(b[8..10])}-{Convert.ToHexStringLower(b[10..16])}";

    /// <summary>NUL/space-padded label; null when empty or not printable.</summary>
    private static string? Text(ReadOnlySpan<byte> raw)
    {
        int end = raw.IndexOf((byte)0);
        var s = Encoding.UTF8.GetString(end < 0 ? raw : raw[..end]).TrimEnd(' ');
        return s.Length == 0 || s.Any(char.IsControl) || s.Contains('\uFFFD') ? null : s;
    }
}
