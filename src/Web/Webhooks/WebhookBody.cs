using System.Buffers;

namespace SalesDash.Web.Webhooks;

/// <summary>
/// A webhook's raw body, read once by the admission filter and handed to the endpoint as a request feature: signatures
/// cover these exact bytes, and reading them into one array once (not a stream over a copy of a copy) is what keeps
/// the webhook path lean. The array is rented from <see cref="WebhookBodyPool"/> and given back when the filter's
/// endpoint has answered (<see cref="Dispose"/>): a 5 KB body was one seventh of what a webhook allocated (bench/README,
/// issue 15 pt 1 at stop 23). Nothing downstream keeps the bytes: the normalisers copy what they need into the event,
/// and a read after the return throws instead of seeing another delivery's bytes.
/// </summary>
public sealed class WebhookBody : IDisposable
{
    /// <summary>Platforms send tens of kilobytes; 2 MiB leaves room for huge orders and stops abuse (the filter's limit is configurable).</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    private readonly WebhookBodyPool _pool;
    private byte[]? _array;
    private readonly int _length;

    private WebhookBody(WebhookBodyPool pool, byte[] rented, int length)
    {
        _pool = pool;
        _array = rented;
        _length = length;
    }

    /// <summary>The body's bytes; throws once the body has been given back.</summary>
    public ReadOnlyMemory<byte> Bytes => _array is { } array
        ? array.AsMemory(0, _length)
        : throw new ObjectDisposedException(nameof(WebhookBody), "The webhook body was read after its buffer went back to the pool.");

    /// <summary>Gives a pooled array back; the body reads as disposed from then on.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            _pool.Return(array);
        }
    }

    /// <summary>The body the filter read, or (for an endpoint outside the filter) the request's body read now; null when too large.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<WebhookBody>() is { } read)
        {
            return read.Bytes;
        }

        // Not pooled: nothing gives it back, so the body's array is the caller's to keep.
        return (await ReadPooledAsync(http.Request, MaxBytes, WebhookBodyPool.Unpooled, cancellationToken))?.Bytes;
    }

    /// <summary>
    /// Reads the whole body, at most <paramref name="maxBytes"/>, into an array of <paramref name="pool"/>; null when
    /// longer (the array is back in the pool then). The caller disposes the body once nothing reads it any more.
    /// </summary>
    public static async ValueTask<WebhookBody?> ReadPooledAsync(HttpRequest request, int maxBytes, WebhookBodyPool pool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(pool);
        if (request.ContentLength is { } length)
        {
            if (length > maxBytes)
            {
                return null;
            }

            var exact = pool.Rent((int)length);
            try
            {
                // Kestrel ends the body at Content-Length and fails the read if the client sends fewer bytes.
                await request.Body.ReadExactlyAsync(exact.AsMemory(0, (int)length), cancellationToken);
            }
            catch
            {
                pool.Return(exact);
                throw;
            }

            return new WebhookBody(pool, exact, (int)length);
        }

        // Chunked: no length to size the array by, so it grows (twice over) as the bytes arrive.
        var buffer = pool.Rent(16 * 1024);
        var written = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(written), cancellationToken)) > 0)
            {
                written += read;
                if (written > maxBytes)
                {
                    pool.Return(buffer);
                    return null;
                }

                if (written == buffer.Length)
                {
                    var larger = pool.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, written).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
            }
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }

        return new WebhookBody(pool, buffer, written);
    }
}

/// <summary>
/// Where webhook bodies' arrays come from: the shared <see cref="ArrayPool{T}"/> in the app; a test can give one that
/// spoils what is returned to it, to show that nothing reads a body after its delivery was answered.
/// </summary>
public class WebhookBodyPool
{
    /// <summary>The app's: the runtime's shared pool.</summary>
    public static WebhookBodyPool Shared { get; } = new();

    /// <summary>Arrays of exactly the size asked for, never reused: for a caller that keeps the body.</summary>
    internal static WebhookBodyPool Unpooled { get; } = new UnpooledArrays();

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes.</summary>
    public virtual byte[] Rent(int minimumLength) => ArrayPool<byte>.Shared.Rent(minimumLength);

    /// <summary>Takes an array back; its bytes may be handed to the next delivery.</summary>
    public virtual void Return(byte[] array) => ArrayPool<byte>.Shared.Return(array);

    private sealed class UnpooledArrays : WebhookBodyPool
    {
        public override byte[] Rent(int minimumLength) => new byte[minimumLength];

        public override void Return(byte[] array)
        {
        }
    }
}
