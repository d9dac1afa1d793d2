// The sign-in form: in the reader's language (the browser's, before anyone is known).
import "./signin.css";
import { markLoaded, startPage } from "../shell/shell";

startPage();
markLoaded();
