using Box.Hal.Buttons;

namespace Box.Hal.Tests.Buttons;

public class InputEventTests
{
    [Fact]
    public void Decodes_a_64_bit_kernel_record()
    {
        // What evtest shows as: time 1700000000.250000, type 1 (EV_KEY), code 408 (KEY_RESTART), value 1
        byte[] record =
        [
            0x00, 0xF1, 0x53, 0x65, 0, 0, 0, 0,     // tv_sec  = 1700000000
            0x90, 0xD0, 0x03, 0x00, 0, 0, 0, 0,     // tv_usec = 250000
            0x01, 0x00, 0x98, 0x01, 0x01, 0x00, 0x00, 0x00,
        ];
        var ev = InputEvent.Decode(record, wide: true);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), ev.Time);
        Assert.Equal(InputEvent.EV_KEY, ev.Type);
        Assert.Equal(KeyCodes.KEY_RESTART, ev.Code);
        Assert.Equal(1, ev.Value);
    }

    [Fact]
    public void Decodes_a_32_bit_kernel_record()
    {
        byte[] record =
        [
            0x00, 0xF1, 0x53, 0x65,                 // tv_sec
            0x90, 0xD0, 0x03, 0x00,                 // tv_usec
            0x01, 0x00, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, // EV_KEY KEY_POWER 0
        ];
        var ev = InputEvent.Decode(record, wide: false);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), ev.Time);
        Assert.Equal(KeyCodes.KEY_POWER, ev.Code);
        Assert.Equal(0, ev.Value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Encode_and_decode_round_trip(bool wide)
    {
        var original = new InputEvent(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_123_456), InputEvent.EV_KEY, KeyCodes.BTN_0, 2);
        var buffer = new byte[InputEvent.SizeOf(wide)];
        original.Encode(buffer, wide);
        Assert.Equal(original, InputEvent.Decode(buffer, wide));
    }

    [Fact]
    public void Native_size_follows_the_process()
    {
        Assert.Equal(Environment.Is64BitProcess ? 24 : 16, InputEvent.NativeSize);
    }
}
