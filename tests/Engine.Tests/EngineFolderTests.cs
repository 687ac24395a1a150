using System.Reflection;
using System.Reflection.Emit;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests;

/// <summary>
/// Keeps the Engine's capability folders (Tenants/, Ingestion/, Alerts/, Anomalies/, ...) free of cycles, so each can be
/// read, tested and changed starting from the ones it uses. The dependencies are read from the compiled assembly, not
/// from <c>using</c> lines: signatures, base types, and every type, method and field a method body (lambdas, async state
/// machines and local functions included) names in its IL, so a fully qualified name cannot slip past.
/// </summary>
public sealed class EngineFolderTests
{
    private static readonly Assembly Engine = typeof(KpiState).Assembly;

    [Fact]
    public void No_two_capability_folders_of_the_engine_depend_on_each_other_directly_or_round_a_cycle()
    {
        var graph = FolderGraph(Engine);

        var cycles = Cycles(graph);

        Assert.True(cycles.Count == 0, "Cycles between Engine capability folders:\n" + string.Join('\n', cycles.Select(c => string.Join(" -> ", c)
            + "\n  because " + string.Join("; ", c.Zip(c.Skip(1), (from, to) => $"{from} uses {string.Join(", ", graph[from][to].Take(3))}")))));
    }

    [Fact]
    public void The_check_sees_a_dependency_named_only_inside_a_method_body()
    {
        // The Tenants entity hands facts to History inside its handlers; no signature of it names History's writer.
        var graph = FolderGraph(Engine);

        Assert.Contains("History", graph["Tenants"].Keys);
        Assert.False(graph.TryGetValue("Metrics", out var metrics) && metrics.ContainsKey("Tenants"));
    }

    [Fact]
    public void The_cycle_finder_reports_a_two_folder_cycle_and_a_three_folder_cycle()
    {
        var graph = new Dictionary<string, Dictionary<string, SortedSet<string>>>
        {
            ["A"] = new() { ["B"] = ["A.X"] },
            ["B"] = new() { ["A"] = ["B.Y"], ["C"] = ["B.Z"] },
            ["C"] = new() { ["D"] = ["C.W"] },
            ["D"] = new() { ["B"] = ["D.V"] },
            ["E"] = new() { ["A"] = ["E.U"] },
        };

        var cycles = Cycles(graph).Select(c => string.Join(">", c)).ToList();

        Assert.Equal(["A>B>A", "B>C>D>B"], cycles);
    }

    [Fact]
    public void Each_capability_folder_of_the_engine_is_one_namespace_of_its_own()
    {
        // The graph is built from namespaces, so a file living in one folder under another folder's namespace would hide
        // a cycle. A folder's namespace may be named otherwise (Cluster/ is SalesDash.Engine.Clustering, so the type
        // Akka.Cluster stays unambiguous), but every file of it and of its subfolders must be in it.
        var root = Path.Combine(RepositoryRoot(), "src", "Engine");
        var capabilityOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var parts = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
            if (parts[0] is "obj" or "bin")
            {
                continue;
            }

            var declared = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("namespace ", StringComparison.Ordinal))?["namespace ".Length..].TrimEnd(';', ' ');
            if (parts.Length == 1)
            {
                if (declared != "SalesDash.Engine")
                {
                    wrong.Add($"{parts[0]}: {declared}, expected SalesDash.Engine");
                }

                continue;
            }

            var segments = declared?.Split('.') ?? [];
            var below = parts[1..^1];
            if (segments.Length != 3 + below.Length || segments[0] != "SalesDash" || segments[1] != "Engine" || !segments[3..].SequenceEqual(below))
            {
                wrong.Add($"{string.Join('/', parts)}: {declared}, expected SalesDash.Engine.<{parts[0]}>{string.Concat(below.Select(b => "." + b))}");
                continue;
            }

            if (!capabilityOf.TryAdd(parts[0], segments[2]) && capabilityOf[parts[0]] != segments[2])
            {
                wrong.Add($"{string.Join('/', parts)}: {declared}, but {parts[0]}/ is SalesDash.Engine.{capabilityOf[parts[0]]}");
            }
        }

        var shared = capabilityOf.GroupBy(kv => kv.Value, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key} is used by {string.Join(", ", g.Select(kv => kv.Key))}");
        Assert.Empty(wrong.Concat(shared));
        Assert.Contains("Tenants", capabilityOf.Keys);
    }

    /// <summary>Folder → folder it uses → the types that make it so (for the failure message).</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> FolderGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }

            foreach (var used in Uses(type))
            {
                if (FolderOf(used) is { } to && to != from)
                {
                    if (!graph.TryGetValue(from, out var edges))
                    {
                        graph[from] = edges = new(StringComparer.Ordinal);
                    }

                    if (!edges.TryGetValue(to, out var because))
                    {
                        edges[to] = because = new(StringComparer.Ordinal);
                    }

                    because.Add($"{Outermost(type).Name}→{Outermost(used).Name}");
                }
            }
        }

        return graph;
    }

    /// <summary>The capability folder of an Engine type (Anomalies.Nab is Anomalies); null for the composition root and other assemblies.</summary>
    private static string? FolderOf(Type type)
    {
        if (type.Assembly != Engine || type.Namespace is not { } ns || !ns.StartsWith("SalesDash.Engine.", StringComparison.Ordinal))
        {
            return null;
        }

        return ns["SalesDash.Engine.".Length..].Split('.')[0];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static IEnumerable<Type> Uses(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new HashSet<Type>();
        if (type.BaseType is { } baseType)
        {
            Add(found, baseType);
        }

        foreach (var contract in type.GetInterfaces())
        {
            Add(found, contract);
        }

        foreach (var field in type.GetFields(All))
        {
            Add(found, field.FieldType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(found, info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(found, parameter.ParameterType);
            }

            foreach (var named in NamedInBody(method))
            {
                Add(found, named);
            }
        }

        return found;
    }

    private static void Add(HashSet<Type> found, Type type)
    {
        if (type.HasElementType)
        {
            Add(found, type.GetElementType()!);
            return;
        }

        if (type.IsGenericParameter || !found.Add(type))
        {
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Add(found, argument);
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types whose members or selves a method's IL names (calls, field reads, newobj, casts, typeof, ldtoken).</summary>
    private static IEnumerable<Type> NamedInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var value = (short)il[at++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[at++]));
            }

            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    if (member is Type named)
                    {
                        yield return named;
                    }
                    else if (member?.DeclaringType is { } owner)
                    {
                        yield return owner;
                        if (member is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (var argument in generic.GetGenericArguments())
                            {
                                yield return argument;
                            }
                        }
                    }

                    at += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }

    /// <summary>Each elementary cycle once, starting at its least folder (by name), in order of that folder and then length.</summary>
    private static List<List<string>> Cycles(Dictionary<string, Dictionary<string, SortedSet<string>>> graph)
    {
        var cycles = new List<List<string>>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            // Only folders after the start, so each cycle is found from its least member alone.
            var path = new List<string> { start };
            Walk(start);

            void Walk(string at)
            {
                foreach (var next in graph.GetValueOrDefault(at)?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
                {
                    if (next == start)
                    {
                        cycles.Add([.. path, start]);
                    }
                    else if (string.CompareOrdinal(next, start) > 0 && !path.Contains(next))
                    {
                        path.Add(next);
                        Walk(next);
                        path.RemoveAt(path.Count - 1);
                    }
                }
            }
        }

        return [.. cycles.OrderBy(c => c[0], StringComparer.Ordinal).ThenBy(c => c.Count)];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesDash.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No SalesDash.sln above {AppContext.BaseDirectory}.");
    }
}
