using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace SalesDash.Web.Tests.ExchangeRates;

/// <summary>
/// A local HTTP server in the place of the ECB's eurofxref-daily.xml: it serves whatever <see cref="Answer"/> says
/// (a document, or a failure status) and counts the requests.
/// </summary>
public sealed class FakeEcb : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private FakeEcb(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>The status and body the next request gets.</summary>
    public (int Status, string Body) Answer { get; set; } = (503, "not yet");

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<FakeEcb> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeEcb(app);
        app.MapGet("/stats/eurofxref/eurofxref-daily.xml", (HttpContext context) =>
        {
            Interlocked.Increment(ref fake._requests);
            var (status, body) = fake.Answer;
            return Results.Text(body, status == 200 ? "text/xml" : "text/plain", statusCode: status);
        });
        await app.StartAsync();
        fake.Url = new Uri(app.Urls.First() + "/stats/eurofxref/eurofxref-daily.xml");
        return fake;
    }

    /// <summary>A document in the shape the ECB publishes daily.</summary>
    public static string Daily(DateOnly day, params (string Currency, string Rate)[] rates) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
        	<gesmes:subject>Reference rates</gesmes:subject>
        	<gesmes:Sender>
        		<gesmes:name>European Central Bank</gesmes:name>
        	</gesmes:Sender>
        	<Cube>
        		<Cube time='{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'>
        {string.Concat(rates.Select(r => $"\t\t\t<Cube currency='{r.Currency}' rate='{r.Rate}'/>\n"))}		</Cube>
        	</Cube>
        </gesmes:Envelope>
        """;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
