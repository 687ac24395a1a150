using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesDash.Connectors.Shopify;

namespace SalesDash.Bench;

/// <summary>
/// The ceiling the webhook figure is read against: a bare Kestrel endpoint in the bench's own process that does
/// what every webhook costs before any engine work — reads the same body, checks the same HMAC, parses the JSON —
/// and answers 200. Accepted webhooks/s of the real app divided by this one's, measured minutes apart on the same
/// machine under the same load, is a figure a busy shared box cannot distort as much as a bare rate.
/// </summary>
public sealed class CeilingServer : IAsyncDisposable
{
    private const int MaxBodyBytes = 2 * 1024 * 1024;

    private readonly WebApplication app;

    private CeilingServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<CeilingServer> StartAsync(string secret, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/webhooks/shopify", async (HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync(request, ct);
            if (body is null)
            {
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }

            if (!ShopifyWebhookSignature.IsValid(body, request.Headers["X-Shopify-Hmac-Sha256"].ToString(), secret))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            using var document = JsonDocument.Parse(body);
            var events = document.RootElement.TryGetProperty("id", out _) ? 1 : 0;
            return Results.Ok(new { outcome = "accepted", events });
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without an address.");
        return new CeilingServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    // The same reading as ShopifyWebhookEndpoint: pooled chunks into one array, bounded.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.WrittenCount + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
