using Box.Platform;
using System.Runtime.InteropServices;
using Box.Hal.Interop;

namespace Box.Hal.Storage;

/// <summary>A NETLINK_KOBJECT_UEVENT socket bound to the kernel's multicast group 1.
/// Datagrams not sent by the kernel (sender port id ≠ 0) are dropped, so a local
/// process cannot fake a disk.</summary>
public sealed class UeventSocket : IUeventSource
{
    private const int PollTimeoutMs = 250;
    private int _fd;
    private readonly byte[] _buffer = new byte[16 * 1024];

    /// <summary>Opens and binds the socket; throws <see cref="HalException"/> with the errno text.</summary>
    public UeventSocket()
    {
        _fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, Libc.NETLINK_KOBJECT_UEVENT);
        if (_fd < 0)
            throw new HalException($"uevent socket: {Libc.LastErrorText()}");
        int rcvbuf = 1024 * 1024; // a hub full of disks arrives as a burst
        Libc.SetSockOpt(_fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, ref rcvbuf, sizeof(int));
        var addr = new Libc.SockaddrNl { Family = Libc.AF_NETLINK, Pid = 0, Groups = 1 };
        if (Libc.Bind(_fd, ref addr, Marshal.SizeOf<Libc.SockaddrNl>()) < 0)
        {
            string error = Libc.LastErrorText();
            Libc.Close(_fd);
            _fd = -1;
            throw new HalException($"uevent socket bind: {error}");
        }
    }

    public unsafe Uevent? Receive(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            var pfd = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
            int ready = Libc.Poll(ref pfd, 1, PollTimeoutMs);
            if (ready < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                    continue;
                throw new IOException($"uevent socket poll: {Libc.ErrorText(errno)}");
            }
            if (ready == 0)
                continue;
            var from = default(Libc.SockaddrNl);
            int fromLen = Marshal.SizeOf<Libc.SockaddrNl>();
            nint n;
            fixed (byte* p = _buffer)
                n = Libc.RecvFrom(_fd, p, (nuint)_buffer.Length, 0, ref from, ref fromLen);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EINTR or Libc.EAGAIN)
                    continue;
                // ENOBUFS: the kernel dropped events; keep going, the next scan catches up.
                if (errno == 105)
                    continue;
                throw new IOException($"uevent socket recv: {Libc.ErrorText(errno)}");
            }
            if (from.Pid != 0)
                continue;
            if (UeventParser.Parse(_buffer.AsSpan(0, (int)n)) is { } ev)
                return ev;
        }
        return null;
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Libc.Close(_fd);
            _fd = -1;
        }
    }
}
