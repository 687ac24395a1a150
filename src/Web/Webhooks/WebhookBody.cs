using System.Buffers;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// A webhook's raw body, read once by the admission filter and handed to the endpoint as a request feature: signatures
/// cover these exact bytes, and reading them into one array once (not a stream over a copy of a copy) is what keeps
/// the webhook path lean.
/// </summary>
public sealed class WebhookBody(byte[] bytes)
{
    /// <summary>Platforms send tens of kilobytes; 2 MiB leaves room for huge orders and stops abuse (the filter's limit is configurable).</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    public byte[] Bytes { get; } = bytes;

    /// <summary>The body the filter read, or (for an endpoint outside the filter) the request's body read now; null when too large.</summary>
    public static async ValueTask<byte[]?> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Features.Get<WebhookBody>() is { } read
            ? read.Bytes
            : await ReadAsync(http.Request, MaxBytes, cancellationToken);
    }

    /// <summary>
    /// Reads the whole body, at most <paramref name="maxBytes"/>; null when longer. With a Content-Length (what every
    /// platform sends) the bytes go straight into an array of that size; a chunked body is gathered through a pooled buffer.
    /// </summary>
    public static async ValueTask<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } length)
        {
            if (length > maxBytes)
            {
                return null;
            }

            var exact = new byte[length];
            // Kestrel ends the body at Content-Length and fails the read if the client sends fewer bytes.
            await request.Body.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.WrittenCount + read > maxBytes)
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
}
