using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data;

namespace ReleaseBoard.Tests.Architecture;

/// <summary>
/// The map in docs/architecture.md, enforced: no two parts of the code use each other in a loop, and components
/// ask their feature's services instead of opening the store.
/// </summary>
public class ArchitectureTests
{
    private static readonly CodeMap Map = CodeMap.Of(typeof(ReleaseBoard.Web.Infrastructure.AuditActor).Assembly);

    [Fact]
    public void No_two_parts_of_the_code_use_each_other_in_a_loop()
    {
        var edges = Map
            .Uses.Where(u => u.Key.Assembly == Map.Assembly)
            .SelectMany(u => u.Value.Where(t => t.Assembly == Map.Assembly).Select(t => (From: u.Key, To: t)))
            .Select(e => (e.From, e.To, FromPart: CodeMap.PartOf(e.From), ToPart: CodeMap.PartOf(e.To)))
            // The composition root uses every part by design; nothing may use it back (that would be a loop).
            .Where(e => e.FromPart is { } from && e.ToPart is { } to && from != to && from != "(root)")
            .ToList();
        var graph = edges.GroupBy(e => e.FromPart!).ToDictionary(g => g.Key, g => g.Select(e => e.ToPart!).ToHashSet());

        // A loop is a set of parts each reachable from the others; every use inside it is named, with one example.
        var loops = Loops(graph)
            .Select(loop =>
                string.Join(
                    "; ",
                    edges
                        .Where(e => loop.Contains(e.FromPart!) && loop.Contains(e.ToPart!))
                        .GroupBy(e => (e.FromPart, e.ToPart))
                        .OrderBy(g => g.Key.FromPart)
                        .ThenBy(g => g.Key.ToPart)
                        .Select(g =>
                            $"{g.Key.FromPart} → {g.Key.ToPart} ({g.First().From.Name} uses {g.First().To.Name})"
                        )
                )
            )
            .ToList();

        Assert.True(loops.Count == 0, $"{loops.Count} loops between parts of the code:\n" + string.Join("\n", loops));
    }

    [Fact]
    public void No_part_uses_the_composition_root_and_the_map_sees_every_token()
    {
        var intoRoot = Map
            .Uses.Where(u => CodeMap.PartOf(u.Key) is { } from && from != "(root)")
            .SelectMany(u =>
                u.Value.Where(t => t.Assembly == Map.Assembly && CodeMap.PartOf(t) == "(root)")
                    .Select(t => $"{u.Key.FullName} uses {t.Name}")
            )
            .ToList();

        Assert.True(intoRoot.Count == 0, "Parts that use Program or AppPipeline:\n" + string.Join("\n", intoRoot));
        Assert.Equal(0, CodeMap.Unresolved);
    }

    [Fact]
    public void No_component_opens_the_store()
    {
        var opening = Map
            .Uses.Where(u => CodeMap.IsComponent(u.Key))
            .Where(u => u.Value.Any(t => typeof(DbContext).IsAssignableFrom(t) || t == typeof(IDbContextFactory<>)))
            .Select(u => u.Key.FullName)
            .Order()
            .ToList();

        Assert.True(
            opening.Count == 0,
            "Components that open the store instead of asking a service:\n" + string.Join("\n", opening)
        );
    }

    // Tarjan's strongly connected components: each set of two or more parts that reach one another.
    private static List<HashSet<string>> Loops(Dictionary<string, HashSet<string>> graph)
    {
        var (index, low, stack, onStack, loops) = (
            new Dictionary<string, int>(),
            new Dictionary<string, int>(),
            new Stack<string>(),
            new HashSet<string>(),
            new List<HashSet<string>>()
        );
        void Visit(string part)
        {
            index[part] = low[part] = index.Count;
            stack.Push(part);
            onStack.Add(part);
            foreach (var next in graph.GetValueOrDefault(part, []))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[part] = Math.Min(low[part], low[next]);
                }
                else if (onStack.Contains(next))
                    low[part] = Math.Min(low[part], index[next]);
            }
            if (low[part] != index[part])
                return;
            var component = new HashSet<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            } while (member != part);
            if (component.Count > 1)
                loops.Add(component);
        }
        foreach (var part in graph.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(part))
                Visit(part);
        return loops;
    }
}
