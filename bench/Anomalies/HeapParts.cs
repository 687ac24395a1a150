using System.Reflection;
using System.Runtime.CompilerServices;

namespace SalesDash.Bench.Anomalies;

/// <summary>
/// What an object graph holds, by the field path that reaches each object first: object and array sizes as the 64-bit
/// runtime lays them out (16-byte header, 24 for an array, fields 8-aligned), summed per path. It tells where a monitor's
/// bytes are without a full collection per field, which the reflection take-apart needs; it does not see the allocator's
/// slack, so its total is a floor on what the heap growth shows.
/// </summary>
internal static class HeapParts
{
    private const BindingFlags Fields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static Dictionary<string, long> Of(IEnumerable<object> roots)
    {
        var sizes = new Dictionary<string, long>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var root in roots)
        {
            Walk(root, string.Empty, sizes, seen);
        }

        return sizes;
    }

    private static void Walk(object? value, string path, Dictionary<string, long> sizes, HashSet<object> seen)
    {
        if (value is null || value is Type || value is Delegate || value is Pointer || !seen.Add(value))
        {
            return;
        }

        var type = value.GetType();
        if (type.IsArray)
        {
            var array = (Array)value;
            var element = type.GetElementType()!;
            Add(sizes, path, Align(24 + ((long)array.Length * SlotSize(element))));
            if (element.IsPrimitive || element.IsEnum)
            {
                return;
            }

            foreach (var item in array)
            {
                if (element.IsValueType)
                {
                    WalkFields(item!, element, path + "[]", sizes, seen);
                }
                else
                {
                    Walk(item, path + "[]", sizes, seen);
                }
            }

            return;
        }

        if (value is string text)
        {
            Add(sizes, path, Align(22 + (2L * text.Length)));
            return;
        }

        Add(sizes, path, Align(16 + FieldBytes(type)));
        WalkFields(value, type, path, sizes, seen);
    }

    private static void WalkFields(object value, Type type, string path, Dictionary<string, long> sizes, HashSet<object> seen)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(Fields | BindingFlags.DeclaredOnly))
            {
                var fieldType = field.FieldType;
                if (fieldType.IsPrimitive || fieldType.IsEnum || fieldType.IsPointer)
                {
                    continue;
                }

                var child = field.GetValue(value);
                var name = path.Length == 0 ? field.Name : path + "." + field.Name;
                if (fieldType.IsValueType)
                {
                    if (child is not null)
                    {
                        WalkFields(child, fieldType, name, sizes, seen);
                    }
                }
                else
                {
                    Walk(child, name, sizes, seen);
                }
            }
        }
    }

    private static long FieldBytes(Type type)
    {
        long bytes = 0;
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(Fields | BindingFlags.DeclaredOnly))
            {
                bytes += SlotSize(field.FieldType);
            }
        }

        return bytes;
    }

    private static long SlotSize(Type type)
    {
        if (!type.IsValueType)
        {
            return 8;
        }

        return (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
    }

    private static long Align(long bytes) => (bytes + 7) & ~7L;

    private static void Add(Dictionary<string, long> sizes, string path, long bytes) =>
        sizes[path] = sizes.GetValueOrDefault(path) + bytes;
}
