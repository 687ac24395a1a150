using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesDash.Web.Imports;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Tests.Imports;

namespace SalesDash.Web.Tests.History;

/// <summary>
/// Imports are bounded: uploads wait in the app database, not in memory; a file over Imports:MaxUploadBytes is a 413
/// and an organisation with Imports:MaxQueuedPerTenant imports waiting is a 429, both problem+json with a clear
/// message, and a refused upload leaves nothing behind.
/// </summary>
public sealed class ImportLimitsTests
{
    private const string Header =
        "Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount,Cancelled at,Source,Shipping Country,Id";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Orders(int count) => Encoding.UTF8.GetBytes(string.Join("\n",
        [Header, .. Enumerable.Range(0, count).Select(i =>
            $"#{1000 + i},ann@example.com,paid,2026-11-25 09:05:00 +0000,GBP,10.00,0.00,0.00,10.00,0.00,2026-11-25 09:05:00 +0000,1,Mug,10.00,MUG-1,0.00,,web,GB,{9000 + i}")]) + "\n");

    private HistoryApp App(int maxBytes, int maxQueued, bool withWorker = true) => new("DuckDb",
        new Dictionary<string, string>
        {
            ["Imports:MaxUploadBytes"] = maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Imports:MaxQueuedPerTenant"] = maxQueued.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        services =>
        {
            if (!withWorker)
            {
                // Nothing runs the queue, so what is queued stays queued: "busy" is then certain, not a race.
                services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ImportWorker)));
            }
        });

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string tenant, string store, byte[] file)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file), "file", "orders_export.csv" } };
        return await client.PostAsync($"/api/tenants/{tenant}/stores/{store}/imports", form, Ct);
    }

    [Fact]
    public async Task A_file_over_the_configured_size_is_refused_with_413_and_nothing_is_queued_or_kept()
    {
        var big = Orders(40);
        await using var app = App(maxBytes: big.Length - 1, maxQueued: 3);
        var client = app.CreateSignedInClient();

        using var refused = await UploadAsync(client, "acme", "uk-shop", big);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemBody>(HistoryApp.Json, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"up to {big.Length - 1:N0} bytes", problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await app.Services.GetRequiredService<ImportJobs>().ActiveForAsync("acme", Ct));
        Assert.Equal((0, 0), (await app.ImportJobRowsAsync(Ct), await app.ImportChunkRowsAsync(Ct)));

        // A file within the limit still goes in.
        var import = await app.ImportAsync("acme", "uk-shop", Orders(3), "small.csv", Ct);
        Assert.Equal(("Completed", 3), (import.Status, import.EventsAccepted));
    }

    [Fact]
    public async Task An_organisation_with_the_most_imports_waiting_is_refused_with_429_while_others_are_not()
    {
        await using var app = App(maxBytes: 1024 * 1024, maxQueued: 2, withWorker: false);
        var client = app.CreateSignedInClient();

        using var first = await UploadAsync(client, "acme", "uk-shop", Orders(2));
        using var second = await UploadAsync(client, "acme", "us-shop", Orders(2));
        using var third = await UploadAsync(client, "acme", "uk-shop", Orders(2));
        using var elsewhere = await UploadAsync(client, "globex", "shop", Orders(2));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.Accepted),
            (first.StatusCode, second.StatusCode, third.StatusCode, elsewhere.StatusCode));
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already has 2 import(s) queued or running", (await third.Content.ReadFromJsonAsync<ProblemBody>(HistoryApp.Json, Ct))!.Detail,
            StringComparison.Ordinal);
        Assert.NotNull(third.Headers.RetryAfter);

        // The accepted uploads wait in the database, one job each; the refused one left nothing.
        Assert.Equal(3, await app.ImportJobRowsAsync(Ct));
        var queued = (await first.Content.ReadFromJsonAsync<ImportBody>(HistoryApp.Json, Ct))!;
        Assert.Equal("Queued", (await client.GetFromJsonAsync<ImportBody>($"/api/tenants/acme/imports/{queued.Id}", HistoryApp.Json, Ct))!.Status);
    }

    private sealed record ProblemBody(string? Title, string? Detail, int? Status);
}
