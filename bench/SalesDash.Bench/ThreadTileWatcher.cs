using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Hubs;

namespace SalesDash.Bench;

/// <summary>
/// A dashboard client that, unlike <see cref="TileWatcher"/>, never waits in the server's thread pool: one WebSocket to
/// the hub (SignalR's JSON protocol, negotiation skipped as a browser may), read with blocking calls on a thread of its own.
/// A browser is another process with its own event loop; the SignalR client hosted in the bench's process reads through
/// the pipes and the pool the app under test also runs on, so a push that reached the socket still queued behind the
/// app's (and the paced sender's) work items before the bench noted it. This watcher notes a push when its frame has come
/// off the socket and been parsed, which is what a browser on another machine would see. It still shares the two cores.
/// </summary>
public sealed class ThreadTileWatcher : IDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly Socket _socket;
    private readonly WebSocket _webSocket;
    private readonly TileObservations _observations;
    private readonly Thread _reader;
    private readonly Timer _ping;
    private readonly TaskCompletionSource<DashboardTiles> _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _send = new();
    private volatile bool _closed;

    private ThreadTileWatcher(Socket socket, WebSocket webSocket, TimeProvider time)
    {
        _socket = socket;
        _webSocket = webSocket;
        _observations = new TileObservations(time);
        _reader = new Thread(Read) { IsBackground = true, Name = "tile-watcher" };
        // The server closes a connection it has heard nothing from for 30 s (SignalR's client timeout); the .NET client pings every 15 s.
        _ping = new Timer(_ => SendRecord("{\"type\":6}"u8), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    /// <summary>The store's tiles as the subscription returned them.</summary>
    public DashboardTiles Initial { get; private set; } = null!;

    public static async Task<ThreadTileWatcher> SubscribeAsync(Uri baseAddress, BenchOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(options);
        // A blocking socket that no async call ever touches: its reads are recv(2) on the reader thread, not the socket engine's pool items.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new DnsEndPoint(baseAddress.Host, baseAddress.Port));
        var stream = new BlockingStream(new NetworkStream(socket, ownsSocket: false));
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {new Uri(baseAddress, "hubs/dashboard").PathAndQuery} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nUpgrade: websocket\r\n" +
            $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {options.ApiKey}\r\n\r\n";
        stream.Write(Encoding.ASCII.GetBytes(request));
        var head = ReadHead(stream);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            socket.Dispose();
            throw new InvalidOperationException($"The hub refused the WebSocket: {head.Split('\r')[0]}");
        }

        var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var watcher = new ThreadTileWatcher(socket, webSocket, time);
        watcher.SendRecord("{\"protocol\":\"json\",\"version\":1}"u8);
        watcher._reader.Start();
        watcher.SendRecord(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new { type = 1, invocationId = "1", target = "Subscribe", arguments = new[] { options.TenantId, options.StoreId } })));
        watcher.Initial = await watcher._subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30), time, cancellationToken);
        return watcher;
    }

    /// <summary>Every push received so far, in arrival order.</summary>
    public IReadOnlyList<TileObservation> Observations => _observations.All;

    /// <summary>Waits until a push covers <paramref name="eventsApplied"/> events; false when the timeout passes first.</summary>
    public Task<bool> WaitForAsync(long eventsApplied, TimeSpan timeout, CancellationToken cancellationToken) =>
        _observations.WaitForAsync(eventsApplied, timeout, cancellationToken);

    private static string ReadHead(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16_384 && stream.Read(one) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    private void SendRecord(ReadOnlySpan<byte> json)
    {
        if (_closed)
        {
            return;
        }

        var frame = new byte[json.Length + 1];
        json.CopyTo(frame);
        frame[^1] = RecordSeparator;
        try
        {
            // The stream's writes are blocking, so the send completes here; the lock keeps the ping and the invocation apart.
            lock (_send)
            {
                _webSocket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            _closed = true;
        }
    }

    private void Read()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var chunk = new byte[64 * 1024];
        try
        {
            while (!_closed)
            {
                // Completes on this thread: the stream under the WebSocket only makes blocking reads.
                var received = _webSocket.ReceiveAsync(chunk.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                buffer.Write(chunk.AsSpan(0, received.Count));
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var data = buffer.WrittenSpan;
                int end;
                while ((end = data.IndexOf(RecordSeparator)) >= 0)
                {
                    Dispatch(data[..end]);
                    data = data[(end + 1)..];
                }

                var rest = data.ToArray();
                buffer.Clear();
                buffer.Write(rest);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or SocketException or JsonException)
        {
            // Closed by Dispose or by the server, or a message that does not parse.
        }
        finally
        {
            _closed = true;
            _subscribed.TrySetException(new InvalidOperationException("The hub closed the connection before answering Subscribe."));
        }
    }

    private void Dispatch(ReadOnlySpan<byte> record)
    {
        using var message = JsonDocument.Parse(record.ToArray());
        var root = message.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            _subscribed.TrySetException(new InvalidOperationException($"The hub answered: {error.GetString()}"));
            return;
        }

        if (!root.TryGetProperty("type", out var type))
        {
            return; // the handshake's answer, {}
        }

        switch (type.GetInt32())
        {
            case 1 when root.GetProperty("target").GetString() == DashboardHub.TilesMethod:
                // A push that does not parse stops the reader (caught in Read), so the run fails on its settle wait rather than miscounting.
                var tiles = root.GetProperty("arguments")[0].Deserialize<DashboardTiles>(Json)
                    ?? throw new JsonException("A tiles push without tiles.");

                // Noted after the parse, as the SignalR client's handler is called after its parse.
                _observations.Note(tiles);

                break;
            case 3 when root.TryGetProperty("result", out var result):
                _subscribed.TrySetResult(result.Deserialize<DashboardTiles>(Json)!);
                break;
            case 7:
                _closed = true;
                break;
        }
    }

    public void Dispose()
    {
        _closed = true;
        _ping.Dispose();
        _socket.Dispose();
        _reader.Join(TimeSpan.FromSeconds(5));
        _webSocket.Dispose();
    }

    /// <summary>Makes every read and write of the stream a blocking call on the caller's thread, async signatures included.</summary>
    private sealed class BlockingStream(NetworkStream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(inner.Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(inner.Read(buffer, offset, count));
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            inner.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            inner.Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
