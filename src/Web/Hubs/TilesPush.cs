using System.Text.Json;
using System.Text.Json.Serialization;
using SalesDash.Contracts.Tiles;

namespace SalesDash.Web.Hubs;

/// <summary>
/// One store's tiles serialised once for every connection that shows them. The relay sends each connection on its own
/// (so one slow screen cannot hold back the others), and 2,000 wallboards must not mean 2,000 serialisations of the
/// same figures: the hub's JSON protocol writes these bytes as they are.
/// </summary>
[JsonConverter(typeof(Converter))]
public sealed class TilesPush
{
    private TilesPush(DashboardTiles tiles, byte[] json)
    {
        Tiles = tiles;
        Json = json;
    }

    public DashboardTiles Tiles { get; }

    /// <summary>The tiles as the hub's JSON protocol would have written them.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <param name="options">The hub protocol's payload options, so the bytes are what the typed push wrote before.</param>
    public static TilesPush Of(DashboardTiles tiles, JsonSerializerOptions options) =>
        new(tiles, JsonSerializer.SerializeToUtf8Bytes(tiles, options));

    private sealed class Converter : JsonConverter<TilesPush>
    {
        public override TilesPush Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Tiles are pushed to browsers, never read back.");

        public override void Write(Utf8JsonWriter writer, TilesPush value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json.Span, skipInputValidation: true);
    }
}
