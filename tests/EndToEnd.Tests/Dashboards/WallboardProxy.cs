using System.Net;
using System.Net.Sockets;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>
/// A TCP relay between the browser and the app that a test can cut and restore, like a TV losing its network:
/// <see cref="Cut"/> drops every open connection (the hub's WebSocket included) and refuses new ones until
/// <see cref="Restore"/>. The app itself keeps running and keeps taking orders.
/// </summary>
public sealed class WallboardProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint upstream;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly List<TcpClient> open = [];
    private readonly Task acceptLoop;
    private bool cut;

    public WallboardProxy(Uri app)
    {
        ArgumentNullException.ThrowIfNull(app);
        upstream = new IPEndPoint(IPAddress.Parse(app.Host), app.Port);
        listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        acceptLoop = AcceptAsync();
    }

    /// <summary>Where the browser is pointed instead of the app.</summary>
    public Uri BaseAddress { get; }

    public void Cut()
    {
        lock (gate)
        {
            cut = true;
            foreach (var client in open)
            {
                // Linger 0: the browser sees a reset at once, as when a cable is pulled, not a polite close.
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            open.Clear();
        }
    }

    public void Restore()
    {
        lock (gate)
        {
            cut = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        Cut();
        try
        {
            await acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient browser;
            try
            {
                browser = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(browser);
        }
    }

    private async Task RelayAsync(TcpClient browser)
    {
        var server = new TcpClient();
        lock (gate)
        {
            if (cut)
            {
                browser.Client.LingerState = new LingerOption(true, 0);
                browser.Dispose();
                server.Dispose();
                return;
            }

            open.Add(browser);
            open.Add(server);
        }

        try
        {
            await server.ConnectAsync(upstream, stopping.Token);
            var a = browser.GetStream().CopyToAsync(server.GetStream(), stopping.Token);
            var b = server.GetStream().CopyToAsync(browser.GetStream(), stopping.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // A cut or a closed side ends the relay; the other side is closed below.
        }
        finally
        {
            lock (gate)
            {
                open.Remove(browser);
                open.Remove(server);
            }

            browser.Dispose();
            server.Dispose();
        }
    }
}
