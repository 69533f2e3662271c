package kg.gephi;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.gephi.graph.api.Column;
import org.gephi.graph.api.Edge;
import org.gephi.graph.api.Element;
import org.gephi.graph.api.GraphController;
import org.gephi.graph.api.GraphModel;
import org.gephi.graph.api.Interval;
import org.gephi.graph.api.Node;
import org.gephi.graph.api.Table;
import org.gephi.graph.api.TimeRepresentation;
import org.gephi.io.importer.api.Container;
import org.gephi.io.importer.api.ImportController;
import org.gephi.io.importer.api.Issue;
import org.gephi.io.processor.plugin.DefaultProcessor;
import org.gephi.layout.plugin.forceAtlas2.ForceAtlas2;
import org.gephi.layout.plugin.forceAtlas2.ForceAtlas2Builder;
import org.gephi.preview.api.CanvasSize;
import org.gephi.preview.api.G2DTarget;
import org.gephi.preview.api.PreviewController;
import org.gephi.preview.api.PreviewModel;
import org.gephi.preview.api.PreviewProperty;
import org.gephi.preview.api.Vector;
import org.gephi.preview.types.DependantColor;
import org.gephi.preview.types.EdgeColor;
import org.gephi.project.api.ProjectController;
import org.gephi.project.api.Workspace;
import org.openide.util.Lookup;

/**
 * Opens `kg build` outputs with the Gephi Toolkit as Gephi's File > Open does, with the
 * default import settings, so that tests can check what a Gephi user gets.
 *
 * <pre>
 * inspect FILE...            one JSON line per file: counts, import issues, edge types,
 *                            every node (label, colour, size, time bounds) and edge
 * picture GRAPH PNG FONT     ForceAtlas 2 layout, Gephi's preview with labels in FONT,
 *                            drawn headless into a PNG
 * </pre>
 */
public final class GephiTool {

    private GephiTool() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try {
            if (args.length >= 2 && args[0].equals("inspect")) {
                for (int i = 1; i < args.length; i++) {
                    out.println(inspect(new File(args[i])));
                }
            } else if (args.length == 4 && args[0].equals("picture")) {
                out.println(picture(new File(args[1]), new File(args[2]), args[3]));
            } else {
                System.err.println("usage: GephiTool inspect FILE... | picture GRAPH PNG FONT");
                System.exit(2);
            }
        } catch (IOException exc) {
            System.err.println("GephiTool: error: " + exc.getMessage());
            System.exit(1);
        }
        System.exit(0);  // the toolkit leaves non-daemon threads behind
    }

    /** A new workspace holding `file`, imported and processed with Gephi's defaults. */
    private static Imported open(File file) throws IOException {
        ProjectController projects = Lookup.getDefault().lookup(ProjectController.class);
        projects.newProject();
        Workspace workspace = projects.getCurrentWorkspace();
        ImportController importer = Lookup.getDefault().lookup(ImportController.class);
        Container container = importer.importFile(file);
        if (container == null) {
            throw new IOException(file + ": Gephi found no importer for this file");
        }
        container.verify();  // as Gephi's import dialog does; it logs issues too
        // The report is read before processing: processing starts a new one.
        List<Issue> issues = new ArrayList<>(container.getReport().getIssuesList(Integer.MAX_VALUE));
        importer.process(container, new DefaultProcessor(), workspace);
        issues.addAll(container.getReport().getIssuesList(Integer.MAX_VALUE));
        GraphModel model = Lookup.getDefault().lookup(GraphController.class).getGraphModel(workspace);
        return new Imported(workspace, issues, model);
    }

    private record Imported(Workspace workspace, List<Issue> issues, GraphModel model) {
    }

    static String inspect(File file) throws IOException {
        Imported imported = open(file);
        GraphModel model = imported.model();
        Json json = new Json().open();
        json.field("file", file.getPath());
        json.field("nodes", model.getGraph().getNodeCount());
        json.field("edges", model.getGraph().getEdgeCount());
        json.field("dynamic", model.isDynamic());
        json.field("time_format", model.getTimeFormat().name());
        json.key("issues").openList();
        for (Issue issue : imported.issues()) {
            json.open().field("level", issue.getLevel().name()).field("message", issue.getMessage()).close();
        }
        json.closeList();
        json.key("edge_types").openList();
        for (Object label : model.getEdgeTypeLabels(false)) {
            json.value(label == null ? null : label.toString());
        }
        json.closeList();
        json.key("node_list").openList();
        for (Node node : model.getGraph().getNodes()) {
            Color color = node.getColor();
            json.open().field("id", node.getId().toString()).field("label", node.getLabel())
                .field("r", color.getRed()).field("g", color.getGreen()).field("b", color.getBlue())
                .field("size", node.size());
            attributes(json, model.getNodeTable(), node);
            times(json, model, node).close();
        }
        json.closeList();
        json.key("edge_list").openList();
        for (Edge edge : model.getGraph().getEdges()) {
            json.open().field("source", edge.getSource().getId().toString())
                .field("target", edge.getTarget().getId().toString())
                .field("type", edge.getTypeLabel() == null ? null : edge.getTypeLabel().toString())
                .field("label", edge.getLabel()).field("weight", edge.getWeight());
            attributes(json, model.getEdgeTable(), edge);
            times(json, model, edge).close();
        }
        json.closeList();
        return json.close().toString();
    }

    /** The element's attribute columns (not id, label, timeset...) by title, as text. */
    private static void attributes(Json json, Table table, Element element) {
        json.key("attributes").open();
        for (Column column : table) {
            if (!column.isProperty()) {
                Object value = element.getAttribute(column);
                json.field(column.getTitle(), value == null ? null : value.toString());
            }
        }
        json.close();
    }

    /** `start`: the first day the element exists (yyyy-mm-dd, UTC), null when always. */
    private static Json times(Json json, GraphModel model, Element element) {
        double low = Double.POSITIVE_INFINITY;
        if (model.getConfiguration().getTimeRepresentation() == TimeRepresentation.INTERVAL) {
            for (Interval interval : element.getIntervals()) {
                low = Math.min(low, interval.getLow());
            }
        } else {
            for (double timestamp : element.getTimestamps()) {
                low = Math.min(low, timestamp);
            }
        }
        String start = Double.isInfinite(low) ? null
            : Instant.ofEpochMilli((long) low).atZone(ZoneOffset.UTC).toLocalDate().toString();
        return json.field("start", start);
    }

    static String picture(File graph, File png, String fontName) throws IOException {
        Font font = new Font(fontName, Font.PLAIN, 14);
        if (!font.getFamily(Locale.ROOT).equals(fontName)) {
            throw new IOException("font '" + fontName + "' is not installed (Java found '"
                + font.getFamily(Locale.ROOT) + "')");
        }
        Imported imported = open(graph);
        GraphModel model = imported.model();
        Column kind = null;  // GEXF column ids are numbers: find `kind` by its title
        for (Column column : model.getNodeTable()) {
            kind = "kind".equals(column.getTitle()) ? column : kind;
        }
        for (Node node : model.getGraph().getNodes()) {  // 103 trigger labels would hide the rest
            if (kind != null && "Event".equals(node.getAttribute(kind))) {
                node.setLabel("");
            }
        }
        int undrawable = 0;  // labels with a character the font has no glyph for (boxes)
        for (Node node : model.getGraph().getNodes()) {
            undrawable += font.canDisplayUpTo(node.getLabel() == null ? "" : node.getLabel()) == -1 ? 0 : 1;
        }
        ForceAtlas2 layout = new ForceAtlas2Builder().buildLayout();
        layout.setGraphModel(model);
        layout.resetPropertiesValues();
        layout.setScalingRatio(40.0);
        layout.setGravity(1.0);
        layout.setAdjustSizes(false);
        layout.setThreadsCount(1);
        layout.initAlgo();
        for (int i = 0; i < 1500 && layout.canAlgo(); i++) {
            layout.goAlgo();
        }
        layout.setAdjustSizes(true);  // then push overlapping nodes apart
        for (int i = 0; i < 300 && layout.canAlgo(); i++) {
            layout.goAlgo();
        }
        layout.endAlgo();

        PreviewController previews = Lookup.getDefault().lookup(PreviewController.class);
        PreviewModel preview = previews.getModel(imported.workspace());
        preview.getProperties().putValue(PreviewProperty.SHOW_NODE_LABELS, Boolean.TRUE);
        preview.getProperties().putValue(PreviewProperty.NODE_LABEL_FONT, font);
        preview.getProperties().putValue(PreviewProperty.NODE_LABEL_PROPORTIONAL_SIZE, Boolean.FALSE);
        preview.getProperties().putValue(PreviewProperty.NODE_LABEL_OUTLINE_SIZE, 3f);
        preview.getProperties().putValue(PreviewProperty.NODE_LABEL_OUTLINE_COLOR,
                                         new DependantColor(Color.WHITE));
        preview.getProperties().putValue(PreviewProperty.EDGE_CURVED, Boolean.FALSE);
        preview.getProperties().putValue(PreviewProperty.EDGE_OPACITY, 40f);
        preview.getProperties().putValue(PreviewProperty.EDGE_COLOR, new EdgeColor(EdgeColor.Mode.SOURCE));
        previews.refreshPreview(imported.workspace());

        // Gephi's PNG exporter asks AWT for a screen to make its image, which fails headless:
        // its renderers draw onto an offscreen image here instead (same drawing, no screen).
        OffscreenTarget target = new OffscreenTarget(1800, 1800);
        target.draw(previews, preview, imported.workspace(), 40);
        ImageIO.write(target.image, "png", png);
        return new Json().open().field("file", png.getPath()).field("font", font.getFamily(Locale.ROOT))
            .field("nodes", model.getGraph().getNodeCount()).field("undrawable_labels", undrawable)
            .field("width", target.image.getWidth()).close().toString();
    }

    /** A Gephi preview render target backed by a BufferedImage (no display needed). */
    static final class OffscreenTarget implements G2DTarget {
        final BufferedImage image;
        private final Graphics2D graphics;
        private final Vector translate = new Vector();
        private float scaling = 1f;

        OffscreenTarget(int width, int height) {
            image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
            graphics = image.createGraphics();
            graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        }

        /** Fit the preview's canvas into the image (with a margin in pixels), paint the
         * background, then let Gephi's renderers draw nodes, edges and labels. */
        void draw(PreviewController previews, PreviewModel model, Workspace workspace, int margin) {
            CanvasSize canvas = model.getGraphicsCanvasSize();
            int width = image.getWidth();
            int height = image.getHeight();
            scaling = Math.min((width - 2f * margin) / canvas.getWidth(),
                               (height - 2f * margin) / canvas.getHeight());
            graphics.setColor(model.getProperties().getColorValue(PreviewProperty.BACKGROUND_COLOR));
            graphics.fillRect(0, 0, width, height);
            graphics.translate(width / 2.0, height / 2.0);
            graphics.scale(scaling, scaling);
            graphics.translate(-(canvas.getX() + canvas.getWidth() / 2.0),
                               -(canvas.getY() + canvas.getHeight() / 2.0));
            previews.render(this, workspace);
            graphics.dispose();
        }

        @Override
        public Graphics2D getGraphics() {
            return graphics;
        }

        @Override
        public Image getImage() {
            return image;
        }

        @Override
        public int getWidth() {
            return image.getWidth();
        }

        @Override
        public int getHeight() {
            return image.getHeight();
        }

        @Override
        public void resize(int width, int height) {
            throw new UnsupportedOperationException("fixed-size offscreen image");
        }

        @Override
        public void setMoving(boolean moving) {
        }

        @Override
        public Vector getTranslate() {
            return translate;
        }

        @Override
        public float getScaling() {
            return scaling;
        }

        @Override
        public void setScaling(float scaling) {
            this.scaling = scaling;
        }

        @Override
        public void reset() {
        }

        @Override
        public void refresh() {
        }
    }

    /** Just enough JSON writing for the reports above (the toolkit jar has no JSON writer). */
    static final class Json {
        private final StringBuilder text = new StringBuilder();
        private final List<Boolean> empty = new ArrayList<>();  // per open object/list
        private boolean afterKey;

        /** A comma before every value but the first of its object or list, or one after a key. */
        private void beginValue() {
            if (afterKey) {
                afterKey = false;
                return;
            }
            int last = empty.size() - 1;
            if (last >= 0) {
                if (!empty.get(last)) {
                    text.append(',');
                }
                empty.set(last, false);
            }
        }

        Json open() {
            beginValue();
            text.append('{');
            empty.add(true);
            return this;
        }

        Json openList() {
            beginValue();
            text.append('[');
            empty.add(true);
            return this;
        }

        Json close() {
            text.append('}');
            empty.remove(empty.size() - 1);
            return this;
        }

        Json closeList() {
            text.append(']');
            empty.remove(empty.size() - 1);
            return this;
        }

        Json key(String name) {
            beginValue();
            quote(name);
            text.append(':');
            afterKey = true;
            return this;
        }

        Json value(Object value) {
            beginValue();
            if (value == null || (value instanceof Number number && !Double.isFinite(number.doubleValue()))) {
                text.append("null");
            } else if (value instanceof Number || value instanceof Boolean) {
                text.append(value);
            } else {
                quote(value.toString());
            }
            return this;
        }

        Json field(String name, Object value) {
            return key(name).value(value);
        }

        private void quote(String value) {
            text.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    text.append('\\').append(c);
                } else if (c < 0x20) {
                    text.append(String.format("\\u%04x", (int) c));
                } else {
                    text.append(c);
                }
            }
            text.append('"');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
