using System.Reflection;
using System.Reflection.Emit;
using Microsoft.AspNetCore.Components;

namespace ReleaseBoard.Tests.Architecture;

/// <summary>
/// Which parts of ReleaseBoard.Web use which, read from the compiled assembly: signatures and every type, method and
/// field a method body names (so lambdas, async state machines and Razor components count where they are written).
/// </summary>
public sealed class CodeMap
{
    private const BindingFlags Everything =
        BindingFlags.Public
        | BindingFlags.NonPublic
        | BindingFlags.Instance
        | BindingFlags.Static
        | BindingFlags.DeclaredOnly;
    private static readonly OpCode[] OneByte = new OpCode[256],
        TwoByte = new OpCode[256];

    static CodeMap()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            if (code.Size == 1)
                OneByte[code.Value] = code;
            else
                TwoByte[code.Value & 0xff] = code;
        }
    }

    private static int _unresolved;

    /// <summary>IL tokens that could not be resolved: each would be a use the map cannot see.</summary>
    public static int Unresolved => _unresolved;

    public static CodeMap Of(Assembly assembly) => new(assembly);

    private CodeMap(Assembly assembly)
    {
        Assembly = assembly;
        Uses = assembly
            .GetTypes()
            .GroupBy(Outermost)
            .ToDictionary(g => g.Key, g => g.SelectMany(UsedBy).Select(Outermost).ToHashSet());
    }

    public Assembly Assembly { get; }

    /// <summary>Each top-level type and the types it uses (nested types count as their outermost one).</summary>
    public IReadOnlyDictionary<Type, HashSet<Type>> Uses { get; }

    /// <summary>
    /// "Features.Wall", "Infrastructure", "Api": the part of the code a type belongs to; "(root)" for the composition
    /// root (Program, AppPipeline); null for what the compiler and source generators add (anonymous types, regexes).
    /// </summary>
    public static string? PartOf(Type type)
    {
        if (type.Name.StartsWith('<') || type.Name.StartsWith("__", StringComparison.Ordinal))
            return null;
        if (type.Namespace is null)
            return type.Name == "Program" ? "(root)" : null;
        var parts = type.Namespace.Split('.');
        if (parts is not ["ReleaseBoard", "Web", ..])
            return null;
        return parts.Length > 3 && parts[2] == "Features" ? $"Features.{parts[3]}"
            : parts.Length > 2 ? parts[2]
            : "(root)";
    }

    public static bool IsComponent(Type type) => typeof(IComponent).IsAssignableFrom(type);

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null)
            type = type.DeclaringType;
        return type;
    }

    private static IEnumerable<Type> UsedBy(Type type)
    {
        var used = new List<Type>();
        void Add(Type? t)
        {
            if (t is null)
                return;
            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }
            if (t.IsGenericParameter)
                return;
            used.Add(t.IsGenericType ? t.GetGenericTypeDefinition() : t);
            if (t.IsGenericType)
                foreach (var argument in t.GetGenericArguments())
                    Add(argument);
        }

        // Attributes count: Razor's @layout and @attribute become [Layout(typeof(...))] and the like.
        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(attribute.AttributeType);
                foreach (
                    var argument in attribute.ConstructorArguments.Concat(
                        attribute.NamedArguments.Select(n => n.TypedValue)
                    )
                )
                    if (argument.Value is Type named)
                        Add(named);
            }
        }

        Add(type.BaseType);
        AddAttributes(type.CustomAttributes);
        foreach (var contract in type.GetInterfaces())
            Add(contract);
        foreach (var field in type.GetFields(Everything))
        {
            Add(field.FieldType);
            AddAttributes(field.CustomAttributes);
        }
        foreach (var property in type.GetProperties(Everything))
        {
            Add(property.PropertyType);
            AddAttributes(property.CustomAttributes);
        }
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            AddAttributes(method.CustomAttributes);
            if (method is MethodInfo info)
                Add(info.ReturnType);
            foreach (var parameter in method.GetParameters())
                Add(parameter.ParameterType);
            foreach (var member in MembersNamedIn(method))
            {
                Add(member as Type ?? member.DeclaringType);
                if (member is FieldInfo f)
                    Add(f.FieldType);
                if (member is MethodInfo m)
                {
                    Add(m.ReturnType);
                    if (m.IsGenericMethod)
                        foreach (var argument in m.GetGenericArguments())
                            Add(argument);
                }
            }
        }
        return used;
    }

    // Walks the IL of a method body and resolves the tokens of calls, field accesses and type operands.
    private static IEnumerable<MemberInfo> MembersNamedIn(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
            yield break;
        var typeArguments =
            method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length; )
        {
            var code = il[at] == 0xfe ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += code.Size;
            var operand = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (
                code.OperandType
                is OperandType.InlineMethod
                    or OperandType.InlineField
                    or OperandType.InlineType
                    or OperandType.InlineTok
            )
            {
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    Interlocked.Increment(ref _unresolved);
                }
                if (member is not null)
                    yield return member;
            }
            at += operand;
        }
    }
}
