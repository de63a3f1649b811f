// TypeDoc plugin: files every top-level export of the `embodied` entry under the area it comes from
// (its folder: src → Core, environments, agents, workflows) as its group, and under its kind as its
// category, so the sidebar reads Core › Classes › … instead of one flat list of ~700 pages. The
// package has one entry point on purpose: users import everything from 'embodied'.
// It also maps the guides' GitHub-style heading anchors (`#export-wm-graphsts-export-bundlets`) to
// TypeDoc's, which drop inline code from a heading's slug, so links written for GitHub keep working.
import { relative, sep } from 'node:path';
import { CommentTag, Comment, Converter, ReflectionKind } from 'typedoc';

const AREAS = { src: 'Core', environments: 'Environments', agents: 'Agents', workflows: 'Workflows' };

/** GitHub's heading slug: inline code kept as text, punctuation other than `-` dropped. */
const githubSlug = (heading) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
/** TypeDoc's heading slug: inline code dropped, then its Slugger's rule. */
const typedocSlug = (heading) =>
  heading
    .replace(/`[^`]*`/g, '')
    .trim()
    .replace(/[\u2000-\u206F\u2E00-\u2E7F\\'!"#$%&()*+,./:;<=>?@[\]^`{|}~]/g, '')
    .replace(/\s/g, '-')
    .replace(/--+/, '-')
    .toLowerCase();

/** Rewrites each document link whose anchor is the GitHub slug of a heading of its target to TypeDoc's slug. */
function mapGithubAnchors(project) {
  for (const doc of project.getReflectionsByKind(ReflectionKind.Document)) {
    for (const part of doc.content ?? []) {
      if (part.kind !== 'relative-link' || !part.targetAnchor || part.target === undefined) continue;
      const target = project.files.resolve(part.target, project);
      if (typeof target !== 'object' || !target.content) continue;
      const markdown = target.content.map((p) => p.text).join('');
      for (const [, heading] of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
        if (githubSlug(heading) === part.targetAnchor) part.targetAnchor = typedocSlug(heading);
      }
    }
  }
}

/** The landing page already shows the project's name: drop the README's `# <name>` heading. */
function dropRepeatedTitle(project) {
  const first = project.readme?.[0];
  const heading = `# ${project.name}`;
  if (first?.kind === 'text' && first.text.startsWith(heading) && /^\s/.test(first.text.slice(heading.length))) {
    first.text = first.text.slice(heading.length).trimStart();
  }
}

/** A guide is named by its `# Title` (not its path), which then is not repeated under the page's title. */
function titleDocuments(project) {
  for (const doc of project.getReflectionsByKind(ReflectionKind.Document)) {
    const first = doc.content?.[0];
    const match = first?.kind === 'text' ? /^# (.+)\n/.exec(first.text) : null;
    if (!match || match[1].includes('`')) continue;
    doc.name = match[1].trim();
    first.text = first.text.slice(match[0].length).trimStart();
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  // Before TypeDoc's own plugins read the tags (a higher priority runs first).
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      const root = process.cwd();
      const top = context.project.children ?? [];
      // With project documents TypeDoc keeps the one entry point as a module: name it as users import it.
      for (const m of top) if (m.kindOf(ReflectionKind.Module) && m.name === 'index') m.name = 'embodied';
      for (const reflection of top.flatMap((m) => (m.kindOf(ReflectionKind.Module) ? (m.children ?? []) : [m]))) {
        let symbol = context.getSymbolFromReflection(reflection);
        if (symbol && symbol.flags & 2097152 /* ts.SymbolFlags.Alias */) symbol = context.checker.getAliasedSymbol(symbol);
        const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
        const area = file && AREAS[relative(root, file).split(sep)[0]];
        if (!area) continue;
        reflection.comment ??= new Comment();
        const tags = reflection.comment.blockTags;
        if (!tags.some((t) => t.tag === '@group')) tags.push(new CommentTag('@group', [{ kind: 'text', text: area }]));
        if (!tags.some((t) => t.tag === '@category')) tags.push(new CommentTag('@category', [{ kind: 'text', text: ReflectionKind.pluralString(reflection.kind) }]));
      }
    },
    1000,
  );
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    mapGithubAnchors(context.project);
    dropRepeatedTitle(context.project);
    titleDocuments(context.project);
  });
}
