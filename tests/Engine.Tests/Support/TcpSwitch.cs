using System.Net;
using System.Net.Sockets;

namespace SalesDash.Engine.Tests.Support;

/// <summary>
/// A local port in front of a real server that can be switched off and on: while off nothing listens, so clients
/// get "connection refused" exactly as when the server is down; while on, connections are piped through.
/// </summary>
internal sealed class TcpSwitch : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private TcpListener? _listener;
    private CancellationTokenSource? _running;
    private Task _accepting = Task.CompletedTask;

    public TcpSwitch(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(Dns.GetHostAddresses(targetHost).First(a => a.AddressFamily == AddressFamily.InterNetwork), targetPort);

        // Reserve a free port number, then leave it closed: the switch starts off.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public void On()
    {
        if (_listener is not null)
        {
            return;
        }

        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _running = new CancellationTokenSource();
        _accepting = AcceptAsync(_listener, _running.Token);
    }

    public async Task OffAsync()
    {
        if (_listener is null)
        {
            return;
        }

        await _running!.CancelAsync();
        _listener.Stop();
        _listener = null;
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        _running.Dispose();
    }

    public async ValueTask DisposeAsync() => await OffAsync();

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            _ = PipeAsync(client, cancellationToken);
        }
    }

    private async Task PipeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target, cancellationToken);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var up = client.GetStream().CopyToAsync(server.GetStream(), linked.Token);
                var down = server.GetStream().CopyToAsync(client.GetStream(), linked.Token);
                await Task.WhenAny(up, down);
                await linked.CancelAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A connection cut by switching off is what the test wants the client to see.
            }
        }
    }
}
