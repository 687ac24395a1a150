using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace SalesDash.Connectors.Tests.Support;

/// <summary>One request as the fake channel saw it.</summary>
public sealed record SeenRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// An HttpMessageHandler that answers like a channel's API: each request goes to the first route whose predicate
/// matches, and a route can answer differently on each call (e.g. 429 first, then the page).
/// </summary>
public sealed class FakeChannel : HttpMessageHandler
{
    private readonly List<(Func<SeenRequest, bool> Match, Queue<Func<SeenRequest, HttpResponseMessage>> Answers, Func<SeenRequest, HttpResponseMessage>? Always)> _routes = [];

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    /// <summary>Answers matching requests with these responses in turn; the last one repeats.</summary>
    public FakeChannel On(Func<SeenRequest, bool> match, params Func<SeenRequest, HttpResponseMessage>[] answers)
    {
        _routes.Add((match, new Queue<Func<SeenRequest, HttpResponseMessage>>(answers), answers[^1]));
        return this;
    }

    public HttpClient Client() => new(this, disposeHandler: false);

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK)
    {
        return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    public static HttpResponseMessage Throttled(string retryAfter, string body = "{\"errors\":\"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.\"}")
    {
        var response = Json(body, HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var seen = new SeenRequest(request.Method, request.RequestUri!, headers, body);
        Seen.Enqueue(seen);
        foreach (var (match, answers, always) in _routes)
        {
            if (match(seen))
            {
                var answer = answers.Count > 0 ? answers.Dequeue() : always!;
                var response = answer(seen);
                response.RequestMessage = request;
                return response;
            }
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request, Content = new StringContent($"no fake route for {request.Method} {request.RequestUri}") };
    }
}

/// <summary>
/// A clock for pollers: fixed "now" that moves forward by every wait, and waits that return at once while being recorded,
/// so a test can assert that the poller waited as long as Retry-After said without waiting itself.
/// </summary>
public sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now = start;

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                Waits.Add(dueTime);
                _now += dueTime;
            }
        }

        return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }
}

/// <summary>An in-memory cursor store that survives "restarts" of pollers within a test.</summary>
public sealed class MemoryCursors : Polling.ICursorStore
{
    public ConcurrentDictionary<string, string> Saved { get; } = new();

    public Task<string?> LoadAsync(Contracts.Commerce.StoreRef store, string stream, CancellationToken cancellationToken) =>
        Task.FromResult(Saved.TryGetValue($"{store}/{stream}", out var value) ? value : null);

    public Task SaveAsync(Contracts.Commerce.StoreRef store, string stream, string cursor, CancellationToken cancellationToken)
    {
        Saved[$"{store}/{stream}"] = cursor;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(Contracts.Commerce.StoreRef store, string stream, CancellationToken cancellationToken)
    {
        Saved.TryRemove($"{store}/{stream}", out _);
        return Task.CompletedTask;
    }
}

/// <summary>Collects what pollers publish; can be told to fail, to prove the cursor does not move past lost events.</summary>
public sealed class CollectingSink : Polling.ICommerceEventSink
{
    private readonly HashSet<string> _ids = [];

    public List<Contracts.Commerce.CommerceEvent> Events { get; } = [];

    public int FailAfterBatches { get; set; } = int.MaxValue;

    private int _batches;

    public Task<int> PublishAsync(IReadOnlyList<Contracts.Commerce.CommerceEvent> events, CancellationToken cancellationToken)
    {
        if (_batches++ >= FailAfterBatches)
        {
            throw new TimeoutException("the engine did not make the events durable in time");
        }

        var fresh = 0;
        foreach (var commerceEvent in events)
        {
            if (_ids.Add(commerceEvent.EventId))
            {
                Events.Add(commerceEvent);
                fresh++;
            }
        }

        return Task.FromResult(fresh);
    }
}
