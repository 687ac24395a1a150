using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Clustering;

/// <summary>
/// The Shopify Admin API's orders.json for any number of shops, shared by every node of a test cluster the way one
/// real shop is: orders by updated_at from updated_at_min, pages of a fixed size behind a Link rel="next" page_info
/// cursor. It counts every request with the node that made it and how many were in flight at once, and can hold one
/// request open until its caller gives up, so a test knows a poll is mid-way on a node when it kills that node.
/// </summary>
internal sealed class FakeShopifyAdmin(int pageSize)
{
    private readonly ConcurrentDictionary<string, TestOrder[]> _shops = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<Served> _served = new();
    private int _requests;
    private int _inFlight;
    private int _mostInFlight;
    private int _holdOffset = -1;

    /// <summary>One answered (or abandoned) request: who asked, which page (by offset), whether a next page followed.</summary>
    public sealed record Served(int Number, string Node, string Shop, int Offset, int Orders, bool HasNext, bool Abandoned);

    /// <summary>Completes with the node whose request is being held.</summary>
    public TaskCompletionSource<string> Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<Served> Requests => [.. _served];

    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    public int RequestCount => Volatile.Read(ref _requests);

    public void Serve(string shopDomain, IEnumerable<TestOrder> orders) => _shops[shopDomain] = [.. orders.OrderBy(o => o.UpdatedAt)];

    /// <summary>The next request for the page at this offset is not answered until its caller cancels it.</summary>
    public void HoldPage(int offset) => Volatile.Write(ref _holdOffset, offset);

    /// <summary>A handler for one node's channel HTTP client; the node's name goes into the request log.</summary>
    public HttpMessageHandler For(string node) => new NodeHandler(this, node);

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, string node, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _requests);
        var inFlight = Interlocked.Increment(ref _inFlight);
        int most;
        while ((most = Volatile.Read(ref _mostInFlight)) < inFlight && Interlocked.CompareExchange(ref _mostInFlight, inFlight, most) != most)
        {
        }

        try
        {
            var uri = request.RequestUri!;
            if (!_shops.TryGetValue(uri.Host, out var orders) || !uri.AbsolutePath.EndsWith("/orders.json", StringComparison.Ordinal))
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent($"no such shop or path: {uri}") };
            }

            if (!request.Headers.TryGetValues("X-Shopify-Access-Token", out var tokens) || string.IsNullOrWhiteSpace(tokens.Single()))
            {
                return new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("{\"errors\":\"[API] Invalid API key or access token\"}") };
            }

            var query = QueryHelpers.ParseQuery(uri.Query);
            var (since, offset) = query.TryGetValue("page_info", out var pageInfo)
                ? ParsePageInfo(pageInfo.ToString())
                : (DateTimeOffset.Parse(query["updated_at_min"].ToString(), CultureInfo.InvariantCulture), 0);
            if (offset >= 0 && Interlocked.CompareExchange(ref _holdOffset, -1, offset) == offset)
            {
                Held.TrySetResult(node);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _served.Enqueue(new Served(number, node, uri.Host, offset, 0, false, Abandoned: true));
                    throw;
                }
            }

            var matching = orders.Where(o => o.UpdatedAt >= since).ToList();
            var page = matching.Skip(offset).Take(pageSize).ToList();
            var hasNext = offset + page.Count < matching.Count;
            var body = "{\"orders\":[" + string.Join(",", page.Select(o => Encoding.UTF8.GetString(o.ToJson("GBP")))) + "]}";
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (hasNext)
            {
                var next = $"https://{uri.Authority}{uri.AbsolutePath}?limit={pageSize}&page_info={since.ToUnixTimeSeconds()}.{offset + page.Count}";
                response.Headers.TryAddWithoutValidation("Link", $"<{next}>; rel=\"next\"");
            }

            _served.Enqueue(new Served(number, node, uri.Host, offset, page.Count, hasNext, Abandoned: false));
            return response;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static (DateTimeOffset Since, int Offset) ParsePageInfo(string pageInfo)
    {
        var parts = pageInfo.Split('.');
        return (DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0], CultureInfo.InvariantCulture)), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private sealed class NodeHandler(FakeShopifyAdmin fake, string node) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await fake.AnswerAsync(request, node, cancellationToken);
            response.RequestMessage = request;
            return response;
        }
    }
}
