using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SalesDash.Tests.Shared;

/// <summary>A request as a <see cref="LocalJsonServer"/> read it; header and query names are case-insensitive.</summary>
public sealed record LocalRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The header's value as sent (repeated headers joined by commas), or null when it was not sent.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>A JSON answer: its status, its body and any headers beyond Content-Type (e.g. Retry-After).</summary>
public sealed record LocalAnswer(int Status, string Json)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A local stand-in for an external JSON API on a free loopback port, for the fakes of PayPal, Meta's Graph API and
/// Google Analytics (this file is linked into Connectors.Tests and EndToEnd.Tests). It owns the listener and its serving
/// loop; a fake gives it only the function that answers a request, and keeps its vendor's state itself.
/// </summary>
/// <remarks>
/// Requests are answered one at a time, in the order they arrive, so an answer function's state is never touched by two
/// requests at once. HttpListener rather than Kestrel because Connectors.Tests does not reference ASP.NET Core.
/// </remarks>
public sealed class LocalJsonServer : IAsyncDisposable
{
    private readonly Func<LocalRequest, LocalAnswer> _answer;
    private readonly HttpListener _listener = new();
    // HttpListener's Stop does not end a GetContextAsync that registers while Stop runs (on Linux its state check is
    // outside Stop's lock and Stop drains its waiters before marking itself stopped), so such a wait, and the test's
    // dispose awaiting this loop, never ended; ci44 lost 10 minutes to it. The loop is stopped by this token instead.
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private Exception? _failure;

    public LocalJsonServer(Func<LocalRequest, LocalAnswer> answer)
    {
        _answer = answer;

        // HttpListener needs a port up front: borrow a free one from the OS.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        _listener.Prefixes.Add(BaseAddress.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The server's root, ending in a slash.</summary>
    public Uri BaseAddress { get; }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A fake that throws is a broken test: its client gets a 500 at once instead of waiting on a loop that
                // died, the loop goes on serving, and the first such failure is thrown when the test disposes the server.
                Interlocked.CompareExchange(ref _failure, e, null);
                TryRefuse(context.Response);
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken ct)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(ct);
        }

        var answer = _answer(new LocalRequest(request.HttpMethod, request.Url!.AbsolutePath, ByName(request.QueryString), ByName(request.Headers), body));
        var response = context.Response;
        var bytes = Encoding.UTF8.GetBytes(answer.Json);
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers[name] = value;
        }

        response.StatusCode = answer.Status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes, ct);
        response.Close();
    }

    // Header and query names are case-insensitive; a bare "?flag" has no name, and no fake asks for one.
    private static Dictionary<string, string> ByName(NameValueCollection values)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in values.AllKeys)
        {
            if (name is not null)
            {
                byName[name] = values[name] ?? "";
            }
        }

        return byName;
    }

    private static void TryRefuse(HttpListenerResponse response)
    {
        try
        {
            response.StatusCode = 500;
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The headers were already sent or the client went away: the failure is kept for dispose either way.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        await _loop;
        _stopping.Dispose();
        if (_failure is not null)
        {
            throw new InvalidOperationException($"The local server at {BaseAddress} failed to answer a request.", _failure);
        }
    }
}
