using System.Globalization;

namespace SalesDash.Connectors.Common;

/// <summary>
/// A JSON field's path ("line_items[0].price"), spelled out only when a message names it. Normalisers read every field
/// of every delivery with its path in hand for the 400 that names it, and building "line_items[{i}].price" and the
/// like for each read was a string a field on every webhook, nearly always thrown away (bench/README, issue 15 pt 1 at
/// stop 24).
/// </summary>
internal readonly struct FieldPath
{
    private readonly string _first;
    private readonly int _index;
    private readonly string? _rest;

    public FieldPath(string first)
        : this(first, -1, null)
    {
    }

    private FieldPath(string first, int index, string? rest)
    {
        _first = first;
        _index = index;
        _rest = rest;
    }

    public static implicit operator FieldPath(string path) => new(path);

    /// <summary>The item at <paramref name="index"/> of the array at this path.</summary>
    public FieldPath At(int index) => _index < 0 && _rest is null ? new(_first, index, null) : new(ToString(), index, null);

    /// <summary>The member <paramref name="name"/> of the object at this path.</summary>
    public FieldPath Field(string name) => new(_first, _index, _rest is null ? name : _rest + "." + name);

    public override string ToString() => (_index, _rest) switch
    {
        ( < 0, null) => _first ?? string.Empty,
        ( < 0, _) => _first + "." + _rest,
        (_, null) => string.Create(CultureInfo.InvariantCulture, $"{_first}[{_index}]"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{_first}[{_index}].{_rest}"),
    };
}
